import { redactText, redactValue } from './redact.js';

const TOKEN = 'Xq3_9k-ZpL0aB7cD2eF4gH6iJ8kM1nO5qR7sT9uV1w'; // 43 base64url characters

describe('redactText', () => {
  it('masks an e-mail address to its first character and domain', () => {
    expect(redactText('mail to alice.smith+pypi@example.org failed')).toBe('mail to a***@example.org failed');
  });

  it('masks every address in the text', () => {
    expect(redactText('from bob@mail.example.net, cc C_arol@Example.COM')).toBe('from b***@mail.example.net, cc C***@Example.COM');
  });

  it('leaves text without addresses or tokens alone', () => {
    const text = 'ticket RD-7K3F9Q moved to in_review by moderator 12 (a@b is not an address)';
    expect(redactText(text)).toBe(text);
  });

  it('redacts a 43-character token wherever it stands', () => {
    expect(redactText(`token=${TOKEN}`)).toBe('token=[redacted]');
    expect(redactText(`GET /status/${TOKEN}?x=1`)).toBe('GET /status/[redacted]?x=1');
    expect(redactText(`${TOKEN} and ${TOKEN.split('').reverse().join('')}`)).toBe('[redacted] and [redacted]');
  });

  it('redacts any unbroken run of 40 or more token characters, but not 39', () => {
    expect(redactText('a'.repeat(40))).toBe('[redacted]');
    expect(redactText('a'.repeat(39))).toBe('a'.repeat(39));
  });

  it('also redacts a 64-digit hex digest: it is as long as a secret', () => {
    expect(redactText('f'.repeat(64))).toBe('[redacted]');
  });
});

describe('redactValue', () => {
  it('masks strings, whatever their key', () => {
    expect(redactValue({ to: 'alice@example.org', link: `https://desk.example/status/${TOKEN}` })).toEqual({
      to: 'a***@example.org',
      link: 'https://desk.example/status/[redacted]',
    });
  });

  it.each([
    'token',
    'statusToken',
    'password',
    'PASSWORD',
    'secret',
    'clientSecret',
    'cookie',
    'set-cookie',
    'authorization',
    'Authorization',
    'code',
    'resetCode',
    'totp_code',
  ])('replaces the value of a key named %s, whatever it holds', (key) => {
    expect(redactValue({ [key]: 'plain' })).toEqual({ [key]: '[redacted]' });
    expect(redactValue({ [key]: { nested: 1 } })).toEqual({ [key]: '[redacted]' });
    expect(redactValue({ [key]: 12345 })).toEqual({ [key]: '[redacted]' });
  });

  it('keeps other keys and scalars as they are', () => {
    expect(redactValue({ reference: 'RD-7K3F9Q', count: 3, ok: true, none: null, codes_left: 2, missing: undefined })).toEqual({
      reference: 'RD-7K3F9Q',
      count: 3,
      ok: true,
      none: null,
      codes_left: 2,
      missing: undefined,
    });
    expect(redactValue(42)).toBe(42);
    expect(redactValue(null)).toBeNull();
    expect(redactValue(undefined)).toBeUndefined();
  });

  it('redacts through nested objects and arrays', () => {
    const value = {
      ticket: { id: 't1', requester: { email: 'carol@example.com', session: { cookie: 'sid=1' } } },
      mails: [{ to: 'dave@example.org', headers: { Authorization: 'Bearer x' } }, 'erin@example.org', [TOKEN]],
    };
    expect(redactValue(value)).toEqual({
      ticket: { id: 't1', requester: { email: 'c***@example.com', session: { cookie: '[redacted]' } } },
      mails: [{ to: 'd***@example.org', headers: { Authorization: '[redacted]' } }, 'e***@example.org', ['[redacted]']],
    });
  });

  it('redacts five levels down', () => {
    const deep = { a: { b: { c: { d: { e: { password: 'hunter2', to: 'frank@example.org' } } } } } };
    expect(redactValue(deep)).toEqual({ a: { b: { c: { d: { e: { password: '[redacted]', to: 'f***@example.org' } } } } } });
  });

  it('turns an Error into its type and redacted message and stack', () => {
    const error = new TypeError(`could not mail grace@example.org the link ${TOKEN}`);
    const out = redactValue(error) as { type: string; message: string; stack: string };
    expect(out.type).toBe('TypeError');
    expect(out.message).toBe('could not mail g***@example.org the link [redacted]');
    expect(out.stack).toContain('TypeError: could not mail g***@example.org the link [redacted]');
    expect(out.stack).not.toContain('grace@');
    expect(out.stack).not.toContain(TOKEN);
  });

  it('does not change what it is given', () => {
    const value = { to: 'heidi@example.org', password: 'p', list: ['ivan@example.org'] };
    redactValue(value);
    expect(value).toEqual({ to: 'heidi@example.org', password: 'p', list: ['ivan@example.org'] });
  });
});

describe('redactValue: regressions', () => {
  it('keeps HTTP status codes', () => {
    expect(redactValue({ res: { statusCode: 200 } })).toEqual({ res: { statusCode: 200 } });
  });

  it('never returns deep objects unredacted', () => {
    const deep = { a: { b: { c: { d: { e: { f: { g: { password: 'hunter2', to: 'bob@example.org' } } } } } } } };
    expect(JSON.stringify(redactValue(deep))).not.toMatch(/hunter2|bob@example/);
  });
});
