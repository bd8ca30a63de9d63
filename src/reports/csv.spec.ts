import { toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes a header, quotes what needs it, and keeps numbers numeric', () => {
    expect(toCsv([{ a: 'plain', b: 'with, comma', c: 'say "hi"', d: -3, e: null, f: true }], ['a', 'b', 'c', 'd', 'e', 'f'])).toBe(
      'a,b,c,d,e,f\r\nplain,"with, comma","say ""hi""",-3,,true\r\n',
    );
  });

  it('defuses cells a spreadsheet would run as a formula', () => {
    expect(toCsv([{ a: '=HYPERLINK("x")', b: '+1', c: '@SUM(A1)', d: '-2' }], ['a', 'b', 'c', 'd'])).toBe(
      `a,b,c,d\r\n"'=HYPERLINK(""x"")",'+1,'@SUM(A1),'-2\r\n`,
    );
  });

  it('writes the header alone for no rows', () => {
    expect(toCsv([], ['day', 'received'])).toBe('day,received\r\n');
  });
});
