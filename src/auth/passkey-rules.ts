/**
 * The pure rules of passkeys (docs/security.md #15): who the relying party is, what a passkey may be
 * called, and the shape a browser's answer must have before the WebAuthn library looks at it. No I/O.
 */

/** The relying party the browser binds a passkey to: the host of PUBLIC_BASE_URL and the exact origin. */
export interface RelyingParty {
  /** The RP ID: the host name only (no scheme, no port). */
  id: string;
  /** The origin a browser reports in clientDataJSON: scheme, host and port. */
  origin: string;
  name: string;
}

export function relyingPartyOf(publicBaseUrl: string, name = 'Recovery Desk'): RelyingParty {
  const url = new URL(publicBaseUrl);
  return { id: url.hostname, origin: url.origin, name };
}

export const PASSKEY_NAME_MAX = 60;
/** How long a registration or sign-in challenge is good for: one ceremony, with time to find a security key. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** What the browser is asked to wait for the person (the WebAuthn `timeout`), a little under the challenge's life. */
export const CEREMONY_TIMEOUT_MS = 4 * 60_000;
/** Passkeys one person may hold: enough for a phone, a laptop and spare keys; bounds the sign-in options. */
export const MAX_PASSKEYS_PER_MODERATOR = 10;

/** The person's label for a passkey, trimmed, or why it is not acceptable. */
export function passkeyName(raw: unknown): { name: string } | { problem: string } {
  if (typeof raw !== 'string') return { problem: 'name is required' };
  const name = raw.replace(/\s+/g, ' ').trim();
  if (!name) return { problem: 'name is required' };
  if (name.length > PASSKEY_NAME_MAX) return { problem: `name must be at most ${PASSKEY_NAME_MAX} characters` };
  // Control characters would garble the page and the audit log.
  if (/\p{Cc}/u.test(name)) return { problem: 'name must not contain control characters' };
  return { name };
}

/** The transports WebAuthn defines; anything else a client sends is dropped rather than stored. */
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export function knownTransports(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return [...new Set(raw.filter((t): t is string => typeof t === 'string' && TRANSPORTS.has(t)))];
}

/**
 * A credential id of at most 1023 bytes (WebAuthn's limit), so 1364 base64url characters; responses
 * carry kilobytes at most (an attestation with a certificate chain), far below the body limit.
 */
const MAX_CREDENTIAL_ID = 1364;
const MAX_FIELD = 16_384;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface AttestationJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, unknown>;
}

export interface AssertionJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle?: string };
  clientExtensionResults: Record<string, unknown>;
}

export type Parsed<T> = { ok: T } | { problem: string };

function base64urlField(value: unknown, field: string, max = MAX_FIELD): string | { problem: string } {
  if (typeof value !== 'string' || value === '') return { problem: `${field} is required (base64url text)` };
  if (value.length > max) return { problem: `${field} is too long` };
  if (!BASE64URL.test(value)) return { problem: `${field} must be base64url text` };
  return value;
}

function credentialHead(body: unknown): Parsed<{ id: string; response: Record<string, unknown> }> {
  if (typeof body !== 'object' || body === null) return { problem: 'credential is required (a JSON object)' };
  const credential = body as Record<string, unknown>;
  const id = base64urlField(credential.id, 'credential.id', MAX_CREDENTIAL_ID);
  if (typeof id !== 'string') return id;
  if (credential.rawId !== id) return { problem: 'credential.rawId must equal credential.id' };
  if (credential.type !== 'public-key') return { problem: 'credential.type must be "public-key"' };
  if (typeof credential.response !== 'object' || credential.response === null) return { problem: 'credential.response is required (a JSON object)' };
  return { ok: { id, response: credential.response as Record<string, unknown> } };
}

/** What navigator.credentials.create() gave, as the page posts it, or the first field that is wrong. */
export function parseAttestation(body: unknown): Parsed<AttestationJson> {
  const head = credentialHead(body);
  if ('problem' in head) return head;
  const { id, response } = head.ok;
  const clientDataJSON = base64urlField(response.clientDataJSON, 'credential.response.clientDataJSON');
  if (typeof clientDataJSON !== 'string') return clientDataJSON;
  const attestationObject = base64urlField(response.attestationObject, 'credential.response.attestationObject');
  if (typeof attestationObject !== 'string') return attestationObject;
  return {
    ok: {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON, attestationObject, transports: knownTransports(response.transports) },
      clientExtensionResults: {},
    },
  };
}

/** What navigator.credentials.get() gave, as the page posts it, or the first field that is wrong. */
export function parseAssertion(body: unknown): Parsed<AssertionJson> {
  const head = credentialHead(body);
  if ('problem' in head) return head;
  const { id, response } = head.ok;
  const fields: Record<string, string> = {};
  for (const name of ['clientDataJSON', 'authenticatorData', 'signature'] as const) {
    const value = base64urlField(response[name], `credential.response.${name}`);
    if (typeof value !== 'string') return value;
    fields[name] = value;
  }
  let userHandle: string | undefined;
  if (response.userHandle !== undefined && response.userHandle !== null && response.userHandle !== '') {
    const value = base64urlField(response.userHandle, 'credential.response.userHandle', 128);
    if (typeof value !== 'string') return value;
    userHandle = value;
  }
  return {
    ok: {
      id,
      rawId: id,
      type: 'public-key',
      response: { clientDataJSON: fields.clientDataJSON, authenticatorData: fields.authenticatorData, signature: fields.signature, userHandle },
      clientExtensionResults: {},
    },
  };
}

/**
 * The signature counter must move forward, so a cloned authenticator shows itself; authenticators that
 * keep no counter (synced passkeys) always report 0, and 0 after 0 is allowed (as WebAuthn says).
 */
export function counterAdvances(stored: number, received: number): boolean {
  return (stored === 0 && received === 0) || received > stored;
}
