import { plainToInstance } from 'class-transformer';
import { DomainError } from '../../common/domain.exception.js';
import { createValidationPipe } from '../../common/validation.js';
import { CreateTicketDto } from '../../intake/dto/create-ticket.dto.js';
import { claimsOf } from '../../intake/intake.service.js';
import { MAX_REF_LENGTH, parseTicketLine } from './ticket-line.js';

const SUBMITTED = new Date('2026-11-25T12:00:00Z');

function body(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    username: 'alice',
    contact_email: 'alice@example.org',
    request_type: 'lost_2fa',
    previous_emails: ['a.liddell@uni.example.edu'],
    projects: ['wonderland'],
    joined_approx: '2016-03',
    has_2fa: true,
    has_recovery_codes: 'unknown',
    details: 'I released wonderland 1.0.',
    coc_accepted: true,
    delay_acknowledged: true,
    ...over,
  };
}

const line = (over: Record<string, unknown> = {}) => JSON.stringify({ ref: 'T-1', ...body(over) });

/** The field errors the API's global pipe gives for the same body. */
async function apiErrors(plain: Record<string, unknown>) {
  try {
    await createValidationPipe().transform(plain, { type: 'body', metatype: CreateTicketDto });
    return [];
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return error.details.errors;
  }
}

describe('parseTicketLine', () => {
  it("turns a valid line into the scorer's ticket: the only open one, submitted at the given time", () => {
    const parsed = parseTicketLine(line({ username: ' alice ', contact_email: 'Alice@Example.ORG' }), SUBMITTED);
    expect(parsed).toEqual({
      ok: true,
      ref: 'T-1',
      username: 'alice',
      ticket: {
        contactEmail: 'alice@example.org',
        requestType: 'lost_2fa',
        competingRequests: false,
        submittedAt: SUBMITTED,
        claims: expect.objectContaining({
          previousEmails: ['a.liddell@uni.example.edu'],
          projects: ['wonderland'],
          joinedApprox: '2016-03',
          has2fa: 'yes',
          hasRecoveryCodes: 'unknown',
          details: 'I released wonderland 1.0.',
        }),
      },
    });
  });

  it('builds the claims exactly as intake does', () => {
    const plain = body({ has_2fa: false, previous_emails: ['B@x.example', 'b@x.example'], joined_approx: undefined, details: undefined });
    const parsed = parseTicketLine(JSON.stringify({ ref: 'r', ...plain }), SUBMITTED);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.ticket.claims).toEqual(claimsOf(plainToInstance(CreateTicketDto, plain)));
    expect(parsed.ticket.claims).toMatchObject({ previousEmails: ['b@x.example'], has2fa: 'no', joinedApprox: null, details: '' });
  });

  it.each([
    [{ ref: undefined }, 'ref is required'],
    [{ ref: null }, 'ref is required'],
    [{ ref: 7 }, 'ref must be a string'],
    [{ ref: '  ' }, 'ref must not be empty'],
    [{ ref: 'x'.repeat(MAX_REF_LENGTH + 1) }, `ref must be at most ${MAX_REF_LENGTH} characters`],
  ])('refuses a bad ref %j', (over, reason) => {
    expect(parseTicketLine(JSON.stringify({ ...body(), ...over }), SUBMITTED)).toEqual({ ok: false, errors: [{ field: 'ref', reasons: [reason] }] });
  });

  it('accepts a ref of exactly the maximum length', () => {
    expect(parseTicketLine(JSON.stringify({ ...body(), ref: 'x'.repeat(MAX_REF_LENGTH) }), SUBMITTED)).toMatchObject({ ok: true });
  });

  it("reports a bad ref together with the body's problems", () => {
    const parsed = parseTicketLine(JSON.stringify({ ...body({ contact_email: 'nope' }), ref: '' }), SUBMITTED);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.map((e) => e.field)).toEqual(['ref', 'contact_email']);
  });

  it.each([
    ['not JSON', '{"ref": "a",', /^not valid JSON: /],
    ['an array', '[1, 2]', /^each line must be a JSON object$/],
    ['a string', '"alice"', /^each line must be a JSON object$/],
    ['null', 'null', /^each line must be a JSON object$/],
  ])('refuses %s as a whole line', (_, text, reason) => {
    const parsed = parseTicketLine(text, SUBMITTED);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([{ field: 'body', reasons: [expect.stringMatching(reason)] }]);
  });

  it('refuses what the API refuses before validation (lone surrogates, deep nesting)', () => {
    expect(parseTicketLine(line({ details: 'a\uD800b' }), SUBMITTED)).toEqual({
      ok: false,
      errors: [{ field: 'details', reasons: ['details contains invalid characters (a lone UTF-16 surrogate)'] }],
    });
    let deep: unknown = 'x';
    for (let i = 0; i < 20; i++) deep = [deep];
    expect(parseTicketLine(line({ projects: deep }), SUBMITTED)).toMatchObject({
      ok: false,
      errors: [{ reasons: [expect.stringContaining('nested too deeply')] }],
    });
  });

  it.each([
    ['an unknown field', { source: 'cli' }],
    ['a missing required field', { coc_accepted: undefined, username: undefined }],
    ['wrong types and values', { has_2fa: 'yes', request_type: 'reset', previous_emails: ['ok@x.example', 'bad'], joined_approx: '16-03' }],
    ['a project name that is not one', { projects: ['ok', 'no spaces please'] }],
  ])("gives the API's field errors for %s", async (_, over) => {
    const plain = body(over);
    const expected = await apiErrors(plain);
    expect(expected?.length).toBeGreaterThan(0);
    expect(parseTicketLine(JSON.stringify({ ref: 'r', ...plain }), SUBMITTED)).toEqual({ ok: false, errors: expected });
  });

  it('names an unknown field as the API does', () => {
    expect(parseTicketLine(line({ source: 'cli' }), SUBMITTED)).toEqual({ ok: false, errors: [{ field: 'source', reasons: ['is not an accepted field'] }] });
  });
});
