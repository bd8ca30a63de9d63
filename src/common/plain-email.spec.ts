import { isPlainEmail } from './plain-email.js';

describe('isPlainEmail', () => {
  it.each([
    'alice@example.org',
    'a.b+tag@sub.example.co.uk',
    "o'brien@example.ie",
    'x_y-z@a-b.example',
    '1@2.io',
    'user@xn--bcher-kva.example',
    'first.last@example.museum',
  ])('takes %s', (address) => expect(isPlainEmail(address)).toBe(true));

  it.each([
    ['a quoted local part with a comma', '"a,evil@attacker.example"@example.org'],
    ['a quoted local part', '"alice"@example.org'],
    ['CR/LF', 'alice\r\nBcc: x@evil.example@example.org'],
    ['a line break in the domain', 'alice@example.org\nBcc: x@evil.example'],
    ['angle brackets', '<alice@example.org>'],
    ['a display name', 'Alice <alice@example.org>'],
    ['a comma between two addresses', 'alice@example.org,bob@example.org'],
    ['a space', 'ali ce@example.org'],
    ['HTML', '<b>x</b>@example.org'],
    ['two @', 'a@b@example.org'],
    ['no domain dot', 'alice@localhost'],
    ['an address literal', 'alice@[127.0.0.1]'],
    ['a numeric top label', 'alice@example.123'],
    ['a leading dot', '.alice@example.org'],
    ['a double dot', 'al..ice@example.org'],
    ['a trailing dot in the domain', 'alice@example.org.'],
    ['a hyphen at a label edge', 'alice@-example.org'],
    ['a NUL', 'alice\u0000@example.org'],
    ['an empty local part', '@example.org'],
    ['a 65-character local part', `${'a'.repeat(65)}@example.org`],
    ['a non-string', 42],
  ])('refuses %s', (_why, address) => expect(isPlainEmail(address)).toBe(false));
});
