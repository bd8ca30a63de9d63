import { acceptedStep, groupSecret, newTotpSecret, normalizeCode, qrCodeDataUrl, refusalOf, totpCode, totpUri } from './totp.js';

describe('TOTP helpers', () => {
  const now = new Date('2026-03-02T10:00:15Z');
  const step = Math.floor(now.getTime() / 30_000);

  it('makes 160-bit base32 secrets, never the same twice', () => {
    const secrets = new Set(Array.from({ length: 20 }, newTotpSecret));
    expect(secrets.size).toBe(20);
    for (const s of secrets) expect(s).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 20 bytes
  });

  it('accepts the current code and one step of drift either side, and says which step', async () => {
    const secret = newTotpSecret();
    for (const offset of [-1, 0, 1]) {
      const code = await totpCode(secret, new Date(now.getTime() + offset * 30_000));
      expect(await acceptedStep(secret, code, { now })).toBe(step + offset);
    }
  });

  it('refuses a code 90 seconds old or one from the future beyond the drift', async () => {
    const secret = newTotpSecret();
    expect(await acceptedStep(secret, await totpCode(secret, new Date(now.getTime() - 90_000)), { now })).toBeNull();
    expect(await acceptedStep(secret, await totpCode(secret, new Date(now.getTime() + 60_000)), { now })).toBeNull();
  });

  it('refuses a replay: the same step, or an earlier one, after a code was accepted', async () => {
    const secret = newTotpSecret();
    const code = await totpCode(secret, now);
    const first = await acceptedStep(secret, code, { now });
    expect(first).toBe(step);
    expect(await acceptedStep(secret, code, { now, afterStep: first })).toBeNull();
    expect(await acceptedStep(secret, await totpCode(secret, new Date(now.getTime() - 30_000)), { now, afterStep: first })).toBeNull();
    expect(await acceptedStep(secret, await totpCode(secret, new Date(now.getTime() + 30_000)), { now, afterStep: first })).toBe(step + 1);
  });

  it('tells a refused code that was used already (its step, or an earlier one in the drift) from a wrong one', async () => {
    const secret = newTotpSecret();
    const at = (offset: number) => totpCode(secret, new Date(now.getTime() + offset * 30_000));
    expect(await refusalOf(secret, await at(0), { now, afterStep: step })).toBe('used');
    expect(await refusalOf(secret, await at(-1), { now, afterStep: step })).toBe('used');
    expect(await refusalOf(secret, await at(0), { now, afterStep: step - 1 })).toBe('wrong'); // a step after the last accepted one was not used
    expect(await refusalOf(secret, await at(0), { now })).toBe('wrong');
    expect(await refusalOf(secret, await at(-3), { now, afterStep: step })).toBe('wrong'); // used once, but now outside the drift
    expect(await refusalOf(secret, await at(2), { now, afterStep: step })).toBe('wrong'); // too early: beyond the drift
    expect(await refusalOf(secret, 'abcdef', { now, afterStep: step })).toBe('wrong');
  });

  it('refuses junk without throwing, and forgives spaces', async () => {
    const secret = newTotpSecret();
    for (const junk of [undefined, '', '12345', '1234567', 'abcdef', ['123456'], 123456]) {
      expect(await acceptedStep(secret, junk, { now })).toBeNull();
    }
    expect(await acceptedStep('not base32!', '123456', { now })).toBeNull();
    const code = await totpCode(secret, now);
    expect(normalizeCode(`${code.slice(0, 3)} ${code.slice(3)}`)).toBe(code);
    expect(await acceptedStep(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, { now })).toBe(step);
  });

  it('shows the secret in groups of four and builds the otpauth URI and a PNG QR code', async () => {
    expect(groupSecret('ABCDEFGHIJKLMNOP2345')).toBe('ABCD EFGH IJKL MNOP 2345');
    const uri = totpUri('alice', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567');
    expect(uri).toBe('otpauth://totp/Recovery%20Desk:alice?secret=ABCDEFGHIJKLMNOPQRSTUVWXYZ234567&issuer=Recovery%20Desk');
    expect(await qrCodeDataUrl(uri)).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  });
});
