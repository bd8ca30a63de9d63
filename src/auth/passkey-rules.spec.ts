import { counterAdvances, knownTransports, parseAssertion, parseAttestation, passkeyName, PASSKEY_NAME_MAX, relyingPartyOf } from './passkey-rules.js';

const attestation = () => ({
  id: 'AAEC',
  rawId: 'AAEC',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0', attestationObject: 'o2NmbXRkbm9uZQ', transports: ['usb', 'usb', 'telepathy', 7] },
  clientExtensionResults: { credProps: { rk: true } },
});
const assertion = () => ({
  id: 'AAEC',
  rawId: 'AAEC',
  type: 'public-key',
  response: { clientDataJSON: 'eyJ9', authenticatorData: 'SZYN5Y', signature: 'MEUCIQ', userHandle: 'dXNlcg' },
  clientExtensionResults: {},
});

describe('passkey rules', () => {
  it('takes the RP ID from the host of PUBLIC_BASE_URL and the origin with its port', () => {
    expect(relyingPartyOf('https://desk.example.org/')).toEqual({ id: 'desk.example.org', origin: 'https://desk.example.org', name: 'Recovery Desk' });
    expect(relyingPartyOf('http://localhost:3000')).toEqual({ id: 'localhost', origin: 'http://localhost:3000', name: 'Recovery Desk' });
    expect(relyingPartyOf('https://Desk.Example.org:8443/desk')).toMatchObject({ id: 'desk.example.org', origin: 'https://desk.example.org:8443' });
  });

  it('names a passkey with trimmed, single-spaced text of at most 60 characters, without control characters', () => {
    expect(passkeyName('  YubiKey \t on my   keyring ')).toEqual({ name: 'YubiKey on my keyring' });
    expect(passkeyName(undefined)).toEqual({ problem: 'name is required' });
    expect(passkeyName('   ')).toEqual({ problem: 'name is required' });
    expect(passkeyName('x'.repeat(PASSKEY_NAME_MAX))).toEqual({ name: 'x'.repeat(PASSKEY_NAME_MAX) });
    expect(passkeyName('x'.repeat(PASSKEY_NAME_MAX + 1))).toEqual({ problem: 'name must be at most 60 characters' });
    expect(passkeyName('key\u0000one')).toEqual({ problem: 'name must not contain control characters' });
  });

  it('keeps only the transports WebAuthn defines, once each', () => {
    expect(knownTransports(['usb', 'nfc', 'usb', 'carrier-pigeon', 3, 'hybrid'])).toEqual(['usb', 'nfc', 'hybrid']);
    expect(knownTransports('usb')).toEqual([]);
  });

  it('reads an attestation as the page posts it, dropping what it does not know', () => {
    expect(parseAttestation(attestation())).toEqual({
      ok: {
        id: 'AAEC',
        rawId: 'AAEC',
        type: 'public-key',
        response: { clientDataJSON: attestation().response.clientDataJSON, attestationObject: 'o2NmbXRkbm9uZQ', transports: ['usb'] },
        clientExtensionResults: {},
      },
    });
  });

  it('names the first wrong field of an attestation', () => {
    const withResponse = (response: Record<string, unknown>) => ({ ...attestation(), response: { ...attestation().response, ...response } });
    expect(parseAttestation(null)).toEqual({ problem: 'credential is required (a JSON object)' });
    expect(parseAttestation({ ...attestation(), id: '' })).toEqual({ problem: 'credential.id is required (base64url text)' });
    expect(parseAttestation({ ...attestation(), id: 'a+b/', rawId: 'a+b/' })).toEqual({ problem: 'credential.id must be base64url text' });
    expect(parseAttestation({ ...attestation(), id: 'A'.repeat(1365), rawId: 'A'.repeat(1365) })).toEqual({ problem: 'credential.id is too long' });
    expect(parseAttestation({ ...attestation(), rawId: 'AAED' })).toEqual({ problem: 'credential.rawId must equal credential.id' });
    expect(parseAttestation({ ...attestation(), type: 'password' })).toEqual({ problem: 'credential.type must be "public-key"' });
    expect(parseAttestation({ ...attestation(), response: 'x' })).toEqual({ problem: 'credential.response is required (a JSON object)' });
    expect(parseAttestation(withResponse({ clientDataJSON: 5 }))).toEqual({ problem: 'credential.response.clientDataJSON is required (base64url text)' });
    expect(parseAttestation(withResponse({ attestationObject: 'A'.repeat(16_385) }))).toEqual({ problem: 'credential.response.attestationObject is too long' });
  });

  it('reads an assertion, with or without a user handle, and names the first wrong field', () => {
    expect(parseAssertion(assertion())).toMatchObject({ ok: { id: 'AAEC', response: { signature: 'MEUCIQ', userHandle: 'dXNlcg' } } });
    const noHandle = { ...assertion(), response: { ...assertion().response, userHandle: null } };
    expect(parseAssertion(noHandle)).toMatchObject({ ok: { response: { userHandle: undefined } } });
    const withResponse = (response: Record<string, unknown>) => ({ ...assertion(), response: { ...assertion().response, ...response } });
    expect(parseAssertion(withResponse({ authenticatorData: undefined }))).toEqual({
      problem: 'credential.response.authenticatorData is required (base64url text)',
    });
    expect(parseAssertion(withResponse({ signature: 'not base64url!' }))).toEqual({ problem: 'credential.response.signature must be base64url text' });
    expect(parseAssertion(withResponse({ userHandle: 'x'.repeat(129) }))).toEqual({ problem: 'credential.response.userHandle is too long' });
  });

  it('lets the signature counter only move forward, except 0 after 0 (authenticators that keep none)', () => {
    expect(counterAdvances(0, 0)).toBe(true);
    expect(counterAdvances(0, 1)).toBe(true);
    expect(counterAdvances(41, 42)).toBe(true);
    expect(counterAdvances(42, 42)).toBe(false);
    expect(counterAdvances(42, 0)).toBe(false);
    expect(counterAdvances(42, 7)).toBe(false);
  });
});
