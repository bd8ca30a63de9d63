import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/** RFC 6238 as every authenticator app does it: SHA-1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
const ISSUER = 'Recovery Desk';

/** 20 random bytes (160 bits, docs/security.md #16 and RFC 4226's recommendation), base32 as apps expect. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(moderatorName: string, secret: string): string {
  return generateURI({ issuer: ISSUER, label: moderatorName, secret });
}

/** The secret in groups of four, for typing into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** What a person typed, as six digits, or null: spaces and dashes are forgiven ("123 456"). */
export function normalizeCode(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{6}$/.test(digits) ? digits : null;
}

/**
 * The time step a code was made for, or null when it is wrong. One step of clock drift either side is
 * allowed (±30 s, docs/security.md #16), and a code whose step is at or before `afterStep` (the last one
 * accepted) is refused, so a code cannot be replayed within its window.
 */
export async function acceptedStep(secret: string, input: unknown, options: { now: Date; afterStep?: number | null }): Promise<number | null> {
  const token = normalizeCode(input);
  if (token === null) return null;
  try {
    const result = await verify({
      secret,
      token,
      epoch: Math.floor(options.now.getTime() / 1000),
      epochTolerance: TOTP_PERIOD_SECONDS,
      afterTimeStep: options.afterStep ?? undefined,
    });
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    return null; // a malformed secret or token: wrong, whatever the reason
  }
}

/** Why a code was refused: `used` when it is right but its step was accepted already (a replay, or the sign-in's own step), else `wrong`. */
export type CodeRefusal = 'used' | 'wrong';

/**
 * Why `acceptedStep` refused a code (call it only after it did): a right code for a step at or before
 * `afterStep` was used already; anything else is wrong (a mistyped code, or a clock off by more than the drift).
 * The moderator is told which, so that "wait for the next code" is not mistaken for "your app is broken".
 */
export async function refusalOf(secret: string, input: unknown, options: { now: Date; afterStep?: number | null }): Promise<CodeRefusal> {
  const step = await acceptedStep(secret, input, { now: options.now });
  return step !== null && options.afterStep != null && step <= options.afterStep ? 'used' : 'wrong';
}

/** The code for a moment (tests and the CLI's checks; the server only verifies). */
export function totpCode(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * The QR code as a PNG data: URL for an <img>: no client script, and the CSP already admits
 * `img-src data:`. Medium error correction reads well from a screen.
 */
export function qrCodeDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, scale: 5 });
}
