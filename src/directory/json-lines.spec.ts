import { arrayElementLines, jsonErrorOffset, lineOfOffset } from './json-lines.js';

const lines = (...rows: string[]) => rows.join('\n');

describe('arrayElementLines', () => {
  it('gives the line on which each object of the array starts', () => {
    const text = lines(
      '{',
      '  "accounts": [',
      '    { "username": "alice" },',
      '    {',
      '      "username": "bob"',
      '    },',
      '    { "username": "carol" }',
      '  ]',
      '}',
    );
    expect(arrayElementLines(text, 'accounts')).toEqual([3, 4, 7]);
  });

  it('counts elements that share a line separately', () => {
    expect(arrayElementLines('{"accounts":[{"a":1},{"a":2},\n{"a":3}]}', 'accounts')).toEqual([1, 1, 2]);
  });

  it('is empty for an empty array', () => {
    expect(arrayElementLines('{\n"accounts": []\n}', 'accounts')).toEqual([]);
  });

  it('is empty when the key is missing or names something other than an array', () => {
    expect(arrayElementLines('{\n"people": [\n{}\n]\n}', 'accounts')).toEqual([]);
    expect(arrayElementLines('{\n"accounts": {"a": [\n{}\n]}\n}', 'accounts')).toEqual([]);
  });

  it('ignores nested arrays and objects inside an element', () => {
    const text = lines(
      '{"accounts": [',
      '  {"emails": [',
      '     {"address": "a@example.org"},',
      '     {"address": "b@example.org"}',
      '   ],',
      '   "projects": [[1, 2], [3]]},',
      '  {"emails": []}',
      ']}',
    );
    expect(arrayElementLines(text, 'accounts')).toEqual([2, 7]);
  });

  it('ignores a key of the same name nested inside an element', () => {
    const text = lines('{"accounts": [', '  {"accounts": [', '    {}, {}', '  ]},', '  {}', ']}');
    expect(arrayElementLines(text, 'accounts')).toEqual([2, 5]);
  });

  it('is not fooled by brackets, braces and quotes inside strings', () => {
    const text = lines(
      '{"accounts": [',
      '  {"name": "[{ not an element }]", "note": "an unbalanced \\"quote ] and } in a string"},',
      '  {"name": "ends in a backslash\\\\", "x": "}]"}, "\\"]",',
      '  {"name": "\\u005b"}',
      ']}',
    );
    expect(JSON.parse(text).accounts).toHaveLength(4);
    expect(arrayElementLines(text, 'accounts')).toEqual([2, 3, 3, 4]);
  });

  it('is not fooled by a string value equal to the key', () => {
    const text = lines('{"title": "accounts",', ' "other": [', '   {}', ' ],', ' "accounts": [', '   {}', ' ]}');
    expect(arrayElementLines(text, 'accounts')).toEqual([6]);
  });

  it('gives a line to scalar elements: strings, numbers, booleans and null', () => {
    const text = lines('{"accounts": [', '  "alice",', '  "with, comma ] and bracket",', '  42, -1.5e3,', '  true,', '  null,', '  ["nested"]', ']}');
    expect(arrayElementLines(text, 'accounts')).toEqual([2, 3, 4, 4, 5, 6, 7]);
  });

  it('gives the line of a scalar that ends the array without a space', () => {
    expect(arrayElementLines('{"accounts": [1,\n2]}', 'accounts')).toEqual([1, 2]);
  });

  it('stops at the end of the array: keys after it are not counted', () => {
    const text = lines('{', '  "accounts": [', '    {}', '  ],', '  "generated_by": ["demo", {"x": 1}],', '  "note": "done"', '}');
    expect(arrayElementLines(text, 'accounts')).toEqual([3]);
  });

  it('finds the array when other keys come before it', () => {
    const text = lines('{', '  "version": 2,', '  "meta": {"accounts": [{}, {}], "tags": ["a"]},', '  "accounts": [', '    {},', '    {}', '  ]', '}');
    expect(arrayElementLines(text, 'accounts')).toEqual([5, 6]);
  });

  it('handles CRLF line endings', () => {
    expect(arrayElementLines('{\r\n"accounts": [\r\n{},\r\n{}\r\n]\r\n}', 'accounts')).toEqual([3, 4]);
  });

  it('matches the elements JSON.parse finds in a pretty-printed file', () => {
    const data = { accounts: [{ a: [1, { b: '}' }] }, 'x', 3, { c: { d: ['[', ']'] } }], after: [{}] };
    const text = JSON.stringify(data, null, 2);
    const found = arrayElementLines(text, 'accounts');
    expect(found).toHaveLength(4);
    const textLines = text.split('\n');
    expect(found.map((line) => textLines[line - 1].trim())).toEqual(['{', '"x",', '3,', '{']);
  });
});

describe('lineOfOffset', () => {
  const text = 'ab\ncd\n\nef';

  it('is 1-based', () => {
    expect(lineOfOffset(text, 0)).toBe(1);
    expect(lineOfOffset(text, 1)).toBe(1);
  });

  it('counts the newline itself as part of its line', () => {
    expect(lineOfOffset(text, 2)).toBe(1);
    expect(lineOfOffset(text, 3)).toBe(2);
  });

  it('counts empty lines', () => {
    expect(lineOfOffset(text, 6)).toBe(3);
    expect(lineOfOffset(text, 7)).toBe(4);
  });

  it('stops at the end of the text', () => {
    expect(lineOfOffset(text, 1000)).toBe(4);
    expect(lineOfOffset('', 5)).toBe(1);
  });
});

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": tru}', 6],
    ['{"a": 1,}', 8],
    ['[1 2]', 3],
    ['{"a": "x\u0001"}', 8],
    ['{"a": 1} x', 9],
  ])('finds the first error in %j at %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorOffset(text)).toBe(offset);
  });
});
