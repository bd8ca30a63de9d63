import fc from 'fast-check';

/*
 * The generators of hostile input, in one place: `npm run fuzz` (src/bench/fuzz.ts) sends thousands of them to
 * every public endpoint, and the property tests (test/intake-property.e2e-spec.ts, test/fuzz-property.e2e-spec.ts)
 * send a few hundred in CI. Wrong types, huge strings, deep nesting, prototype keys, duplicate keys, odd Unicode,
 * malformed JSON, wrong content types, empty bodies and query-string junk (docs/security.md, "Fuzzing").
 */

export const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf'];

export const INTAKE_FIELDS = [
  'username',
  'contact_email',
  'request_type',
  'previous_emails',
  'projects',
  'joined_approx',
  'has_2fa',
  'has_recovery_codes',
  'details',
  'coc_accepted',
  'delay_acknowledged',
] as const;
export type IntakeField = (typeof INTAKE_FIELDS)[number];

// ---------------------------------------------------------------------------------------------
// Values that cannot be written as plain JSON values (deep nesting would overflow JSON.stringify in the
// sender itself; duplicate keys and bad escapes must go out verbatim): spliced in as raw JSON text.

export class RawJson {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {}
  [fc.toStringMethod](): string {
    return `RawJson(${this.label})`;
  }
}

/** JSON text for a value that may hold RawJson pieces anywhere inside. */
export function toJsonText(value: unknown): string {
  const nonce = Math.random().toString(36).slice(2);
  const raws: string[] = [];
  const text =
    JSON.stringify(value, (_key, v: unknown) => {
      if (v instanceof RawJson) {
        raws.push(v.text);
        return `@@raw-${nonce}-${raws.length - 1}@@`;
      }
      return v;
    }) ?? 'null';
  return text.replace(new RegExp(`"@@raw-${nonce}-(\\d+)@@"`, 'g'), (_, i: string) => raws[Number(i)]);
}

export function nested(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array'
    ? new RawJson('['.repeat(depth) + ']'.repeat(depth), `${depth} nested arrays`)
    : new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth), `${depth} nested objects`);
}
/** Nesting as deep as the 64 KiB body allows (~10,900 objects, ~32,700 arrays). */
export const MAX_DEPTH_IN_BODY = 30_000;
export const nesting = (maxDepth: number) =>
  fc.tuple(fc.integer({ min: 1, max: maxDepth }), fc.constantFrom('array' as const, 'object' as const)).map(([depth, kind]) => nested(depth, kind));

// ---------------------------------------------------------------------------------------------
// Strings

export const controlChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.constant('\u007f'),
);
export const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** NUL, line and paragraph separators, BOM, right-to-left override and marks, zero-width, combining marks, case-mapping traps. */
export const oddChar = fc.constantFrom(
  '\u0000',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\u202e',
  '\u200f',
  '\u061c',
  '\u200b',
  '\u0301',
  '\u0336',
  '\u20dd',
  'é',
  'İ',
  'ß',
  'ﬀ',
  '𝒜',
  '😀',
  '👩‍👩‍👧',
  '@',
  '.',
  '-',
  '_',
  ' ',
  '"',
  '\\',
  '<',
  '%',
  '&',
  '=',
  '+',
);
export const nastyChar = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: controlChar },
  { weight: 2, arbitrary: loneSurrogate },
  { weight: 3, arbitrary: oddChar },
);
const lengths = fc.oneof(fc.constantFrom(49, 50, 51, 199, 200, 201, 253, 254, 255, 4999, 5000, 5001, 20_000, 65_536), fc.integer({ min: 0, max: 6000 }));
export const overlong = fc
  .tuple(fc.string({ unit: nastyChar, minLength: 1, maxLength: 3 }), lengths)
  .map(([s, n]) => s.repeat(Math.ceil(n / s.length)).slice(0, n));
export const numberAsString = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom('true', 'false', 'null', 'unknown', 'on', 'yes', '1', '0', 'NaN', 'Infinity', '-0', '1e309', '0x10', ''),
);
/** A valid-looking value with something odd spliced in. */
export const splicedInto = (words: string[]) =>
  fc
    .tuple(fc.constantFrom(...words), fc.nat(), fc.string({ unit: nastyChar, minLength: 1, maxLength: 4 }))
    .map(([s, at, insert]) => s.slice(0, at % (s.length + 1)) + insert + s.slice(at % (s.length + 1)));
const spliced = splicedInto(['alice', 'a@example.org', 'wonderland', '2016-03', 'lost_2fa', 'unknown', 'hello', '123456', 'yes']);
export const nastyString = fc.oneof(
  fc.string({ unit: nastyChar, maxLength: 40 }),
  fc.string({ unit: 'binary' }),
  overlong,
  numberAsString,
  spliced,
  fc.constantFrom(...PROTO_KEYS),
);

// ---------------------------------------------------------------------------------------------
// JSON values of the wrong (or right) shape

export const protoObject = fc.tuple(fc.constantFrom(...PROTO_KEYS), fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => {
  const object: Record<string, unknown> = {};
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
});
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1, 1.5, -0, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [''], [null]) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof(fc.string({ unit: nastyChar, maxLength: 8 }), fc.integer(), fc.constantFrom(null, true, {}, [])), fc.integer({ min: 21, max: 20_000 }))
      .map(([v, n]) => Array<unknown>(n).fill(v)),
  },
  { weight: 2, arbitrary: fc.array(fc.oneof(nastyString, fc.jsonValue({ maxDepth: 1 })), { maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...PROTO_KEYS, ...INTAKE_FIELDS), fc.string()), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  },
  { weight: 1, arbitrary: protoObject },
  { weight: 1, arbitrary: nesting(MAX_DEPTH_IN_BODY) },
);

/** Values each intake field accepts (so that mutated bodies also pass, and the 2xx side is exercised). */
export const goodIntakeValue: Record<IntakeField, fc.Arbitrary<unknown>> = {
  username: fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,48}[A-Za-z0-9])?$/),
  contact_email: fc.oneof(
    fc.emailAddress(),
    fc.constantFrom(' Mixed.Case@Example.ORG ', `${'x'.repeat(64)}@${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.org`),
  ),
  request_type: fc.constantFrom('forgot_password', 'lost_2fa', 'lost_recovery_codes', 'lost_email_access', 'compromised'),
  previous_emails: fc.array(fc.emailAddress(), { maxLength: 20 }),
  projects: fc.array(fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,30}[A-Za-z0-9])?$/), { maxLength: 100 }),
  joined_approx: fc.constantFrom('2016', '2016-03', ' 2020-12 ', '2099-01'),
  has_2fa: fc.constantFrom(true, false, 'unknown'),
  has_recovery_codes: fc.constantFrom(true, false, 'unknown'),
  details: fc.oneof(
    fc
      .string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate, fc.constantFrom('\t', '\n', '\r')), maxLength: 200 })
      .map((s) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')),
    fc.constant('é'.repeat(5000)),
  ),
  coc_accepted: fc.constant(true),
  delay_acknowledged: fc.constant(true),
};

let unique = 0;
/** A valid intake body for a requester never seen before in this process. */
export function validIntakeBody(prefix = 'fuzz'): Record<string, unknown> {
  unique++;
  const tag = `${prefix}-${process.pid}-${unique}`;
  return {
    username: `${tag}-user`,
    contact_email: `${tag}@example.org`,
    request_type: 'lost_2fa',
    previous_emails: [],
    projects: [],
    has_2fa: 'unknown',
    has_recovery_codes: 'unknown',
    details: '',
    coc_accepted: true,
    delay_acknowledged: true,
  };
}

/** A few fixed requesters (in varying case and spacing): a valid body from one of them again is a follow-up (200). */
export const sameRequester = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.boolean())
  .map(([k, shout]) =>
    shout
      ? { username: `REPEAT-user${k}`, contact_email: ` Repeat${k}@EXAMPLE.org ` }
      : { username: `repeat-user${k}`, contact_email: `repeat${k}@example.org` },
  );

export type Mutation =
  { kind: 'set'; key: string; value: unknown } | { kind: 'delete'; key: string } | { kind: 'same_requester'; username: string; contact_email: string };
const intakeKey = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...INTAKE_FIELDS) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);
export const intakeMutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('set' as const), key: intakeKey, value: nastyValue }) },
  {
    weight: 4,
    arbitrary: fc
      .constantFrom(...INTAKE_FIELDS)
      .chain((key) => fc.record({ kind: fc.constant('set' as const), key: fc.constant(key), value: goodIntakeValue[key] })),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...INTAKE_FIELDS) }) },
  { weight: 2, arbitrary: sameRequester.map((r) => ({ kind: 'same_requester' as const, ...r })) },
);

export function applyMutations(body: Record<string, unknown>, mutations: Mutation[]): Record<string, unknown> {
  for (const m of mutations) {
    if (m.kind === 'delete') delete body[m.key];
    else if (m.kind === 'same_requester') Object.assign(body, { username: m.username, contact_email: m.contact_email });
    else Object.defineProperty(body, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  }
  return body;
}

// ---------------------------------------------------------------------------------------------
// Urlencoded text

/** Percent-encodes every byte outside the unreserved set (lone surrogates go out as U+FFFD, as a browser would send them). */
export function formEncode(s: string, spaceAsPlus: boolean): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._~]/.test(c)) out += c;
    else if (byte === 0x20 && spaceAsPlus) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Bad percent escapes, overlong UTF-8, separators and bracket syntax, sent verbatim. */
export const rawFragment = fc.constantFrom(
  '%',
  '%0',
  '%zz',
  '%00',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '%E2%80%AE',
  '+',
  '&',
  '=',
  '==',
  '&&',
  '[]',
  '[0]',
  '%26',
  '%3D',
  '\u00e9',
  '\ud800',
);
export const formValue = (words: string[]) =>
  fc.oneof({ weight: 5, arbitrary: nastyString }, { weight: 2, arbitrary: fc.constantFrom(...words, '') }, { weight: 1, arbitrary: splicedInto(words) });

export type FormEntry = { key: string; value: string; raw: string | null; plus: boolean };
export const formEntry = (fields: readonly string[], words: string[]): fc.Arbitrary<FormEntry> =>
  fc.record({
    key: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...fields) },
      { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS, ...fields.map((f) => `${f}[]`), ...fields.map((f) => `${f}[0]`)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    value: formValue(words),
    raw: fc.option(rawFragment, { freq: 6 }),
    plus: fc.boolean(),
  });

/** A valid form (pairs) with each entry replacing (first occurrence) or repeating its key, and some fields dropped. */
export function encodeForm(valid: [string, string][], entries: FormEntry[], mode: 'replace' | 'append', drop: string[]): string {
  const pairs: string[][] = valid.filter(([k]) => !drop.includes(k)).map(([k, v]) => [formEncode(k, false), formEncode(v, true)]);
  for (const e of entries) {
    const pair = [formEncode(e.key, false), (e.raw ?? '') + formEncode(e.value, e.plus)];
    const at = pairs.findIndex(([k]) => k === pair[0]);
    if (mode === 'replace' && at >= 0) pairs[at] = pair;
    else pairs.push(pair);
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

// ---------------------------------------------------------------------------------------------
// Whole bodies: what a request carries, whatever the endpoint

/** A body as sent: its Content-Type header (none when null) and its bytes. `valid` says the form itself was left valid. */
export interface Payload {
  contentType: string | null;
  body: string | Buffer;
  /** What kind of body this is, for the report of a failure. */
  label: string;
}

export const WRONG_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/octet-stream',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded; charset=latin1',
  'application/jsonx',
  'application/merge-patch+json',
  'image/png',
  '*/*',
  'a',
  ';',
];

/** Malformed or borderline JSON text: cut short, junk spliced in, bad escapes, huge numbers, a BOM, bytes. */
export const malformedJson = (valid: () => Record<string, unknown>): fc.Arbitrary<string | Buffer> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.string({
        unit: fc.oneof(nastyChar, fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\\u0000', '\\ud800', '\\x', 'null', 'true', '"__proto__"')),
        maxLength: 80,
      }),
    },
    {
      weight: 3,
      arbitrary: fc.tuple(fc.nat(), fc.string({ unit: nastyChar, maxLength: 3 })).map(([cut, junk]) => {
        const text = JSON.stringify(valid());
        const at = cut % (text.length + 1);
        return text.slice(0, at) + junk + (junk ? text.slice(at) : '');
      }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '\ufeff{}',
        '{}',
        '[]',
        'null',
        '0',
        '"text"',
        '{"__proto__":{}}',
        '{"__proto__":{"isAdmin":true}}',
        '{"constructor":{"prototype":{"x":1}}}',
        '1e999999',
        '-',
        '"\\ud800"',
        '{"a":1,}',
        "{'a':1}",
        '{"a":1}{"b":2}',
        '{"a":1} junk',
      ),
    },
  );

/** JSON text with keys given twice or more (the last, first or a prototype key wins depending on the parser). */
export const duplicateKeysJson = (valid: () => Record<string, unknown>, fields: readonly string[]): fc.Arbitrary<string> =>
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...fields), fc.constantFrom(...PROTO_KEYS)), fc.oneof(nastyValue, fc.constantFrom(...fields))), {
      minLength: 1,
      maxLength: 6,
    })
    .map((pairs) => {
      const text = toJsonText(valid());
      const extra = pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',');
      return `{${extra},${text.slice(1, -1)},${extra}}`.replace(/,,/g, ',').replace('{,', '{').replace(',}', '}');
    });

/** Odd Unicode as a whole value: lone surrogates, NUL, RTL overrides, stacked combining marks, BOMs. */
export const oddUnicode = fc.oneof(
  fc.string({ unit: fc.oneof(loneSurrogate, oddChar, controlChar), minLength: 1, maxLength: 30 }),
  fc.nat({ max: 400 }).map((n) => `a${'\u0301'.repeat(n)}`),
  fc.constantFrom('\u202egnp.exe', 'abc\u0000def', '\ud800\udc00\udbff', '\ufeff\ufeff', 'Ω≈ç√∫', 'ǅ', 'Ⅻ', '١٢٣٤٥٦'),
);

/**
 * Any body for a form endpoint: the valid form mutated, random urlencoded text, JSON (valid-looking or not,
 * with duplicate keys), a wrong content type or none, or nothing at all.
 */
export function formPayload(fields: readonly string[], valid: () => [string, string][], words: string[]): fc.Arbitrary<Payload> {
  const urlencoded = 'application/x-www-form-urlencoded';
  const asObject = () => Object.fromEntries(valid());
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.array(formEntry(fields, words), { minLength: 0, maxLength: 5 }),
          fc.constantFrom('replace' as const, 'append' as const),
          fc.subarray([...fields], { maxLength: Math.min(2, fields.length) }),
        )
        .map(([entries, mode, drop]) => ({ contentType: urlencoded, body: encodeForm(valid(), entries, mode, drop), label: 'form, mutated' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .string({
          unit: fc.oneof(nastyChar, rawFragment, fc.constantFrom(...fields.map((f) => `${f}=`), '__proto__=', 'constructor[prototype]=')),
          maxLength: 60,
        })
        .map((body) => ({ contentType: urlencoded, body, label: 'random urlencoded text' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record(Object.fromEntries(fields.map((f) => [f, nastyValue])), { requiredKeys: [] })
        .map((value) => ({ contentType: 'application/json', body: toJsonText(value), label: 'JSON of the form fields' })),
    },
    { weight: 1, arbitrary: duplicateKeysJson(asObject, fields).map((body) => ({ contentType: 'application/json', body, label: 'JSON, duplicate keys' })) },
    { weight: 1, arbitrary: malformedJson(asObject).map((body) => ({ contentType: 'application/json', body, label: 'malformed JSON' })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...WRONG_CONTENT_TYPES, null), fc.oneof(malformedJson(asObject), fc.constant(encodeForm(valid(), [], 'append', []))))
        .map(([contentType, body]) => ({ contentType, body, label: 'wrong content type' })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Payload>({ contentType: null, body: '', label: 'empty, no type' }, { contentType: urlencoded, body: '', label: 'empty form' }),
    },
  );
}

/** Any body for the JSON API: the valid body mutated, random JSON, duplicate keys, malformed text, wrong types. */
export function jsonPayload(
  fields: readonly string[],
  valid: () => Record<string, unknown>,
  good: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Payload> {
  const json = 'application/json';
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .array(intakeMutation, { minLength: 1, maxLength: 4 })
        .map((mutations) => ({ contentType: json, body: toJsonText(applyMutations(valid(), mutations)), label: 'valid body, mutated' })),
    },
    {
      weight: 2,
      arbitrary: fc
        .record(Object.fromEntries(fields.map((f) => [f, fc.oneof({ weight: 3, arbitrary: nastyValue }, { weight: 1, arbitrary: good[f] ?? nastyValue })])), {
          requiredKeys: [],
        })
        .map((value) => ({ contentType: json, body: toJsonText(value), label: 'the fields, random values' })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.jsonValue(), fc.anything({ maxDepth: 3, withObjectString: true, withNullPrototype: true }), nastyValue)
        .map((value) => ({ contentType: json, body: toJsonText(value), label: 'any JSON value' })),
    },
    { weight: 1, arbitrary: duplicateKeysJson(valid, fields).map((body) => ({ contentType: json, body, label: 'duplicate keys' })) },
    { weight: 1, arbitrary: malformedJson(valid).map((body) => ({ contentType: json, body, label: 'malformed JSON' })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...WRONG_CONTENT_TYPES, 'application/x-www-form-urlencoded', null),
          fc.oneof(malformedJson(valid), fc.constant(JSON.stringify(valid()))),
        )
        .map(([contentType, body]) => ({ contentType, body, label: 'wrong content type' })),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Paths and query strings

/** A path segment that is not a live token: random, the right shape but unknown, huge, traversal, NUL, odd Unicode (percent-encoded). */
export const junkToken = fc.oneof(
  fc.string({ unit: nastyChar, maxLength: 60 }).map((s) => formEncode(s, false)),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{42,44}$/),
  oddUnicode.map((s) => formEncode(s, false)),
  fc.nat({ max: 8000 }).map((n) => 'A'.repeat(n)),
  fc.constantFrom(
    '',
    '%00',
    '..',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e',
    '%',
    '%zz',
    '%C0%AF',
    '%ED%A0%80',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    '~',
    '.',
  ),
);

/** A query string appended to a path: empty most of the time, else repeated, bracketed, proto or badly escaped keys. */
export const queryJunk = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...PROTO_KEYS, 'a[]', 'a[b]', 'notice', 'sent', 'code', 'repository', 'x'),
            fc.string({ maxLength: 6 }).map((s) => formEncode(s, false)),
          ),
          fc.oneof(
            nastyString.map((s) => formEncode(s.slice(0, 200), true)),
            rawFragment.filter((f) => /^[\x21-\x7e]*$/.test(f)),
          ),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('?', '??', '?&&', '?=', '?a', '?%', '?a=%zz', '?sent=1&sent=1', '?code=passed', '?__proto__[x]=1', `?${'a='.repeat(5000)}`),
  },
);

/** Which token a request uses: a live one of the fixture, one that no longer works (withdrawn, used, revoked), or junk. */
export type TokenChoice = { kind: 'valid' } | { kind: 'stale' } | { kind: 'junk'; text: string };
export const tokenChoice: fc.Arbitrary<TokenChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'stale' as const }) },
  { weight: 2, arbitrary: junkToken.map((text) => ({ kind: 'junk' as const, text })) },
);

/** The CSRF token a staff form carries: the session's own, none, a wrong one, or one in the header instead. */
export type CsrfChoice = 'valid' | 'missing' | 'wrong' | 'header';
export const csrfChoice: fc.Arbitrary<CsrfChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('valid' as const) },
  { weight: 1, arbitrary: fc.constant('header' as const) },
  { weight: 1, arbitrary: fc.constant('missing' as const) },
  { weight: 1, arbitrary: fc.constant('wrong' as const) },
);

/** An IPv4 address for X-Forwarded-For: each request comes from "somewhere else", so per-client limits do not turn every answer into a 429. */
export const clientAddress = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'));
