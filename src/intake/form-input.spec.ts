import { CreateTicketDto } from './dto/create-ticket.dto.js';
import { type FormBody, formToTicketInput, formValuesToShow, nonTextField, validateTicketForm, FORM_FIELD_MESSAGES } from './form-input.js';

/** A complete, valid form post (every value a string, as the browser sends it); override any field. */
function makeForm(overrides: FormBody = {}): FormBody {
  return {
    username: 'alice',
    contact_email: 'alice@example.org',
    request_type: 'lost_2fa',
    previous_emails: 'alice@old.example.com',
    emails_still_read: 'alice@now.example.com',
    projects: 'fast-json',
    joined_approx: '2016-03',
    has_2fa: 'true',
    has_recovery_codes: 'unknown',
    details: 'I lost my phone.',
    coc_accepted: 'true',
    delay_acknowledged: 'true',
    ...overrides,
  };
}

describe('formToTicketInput', () => {
  it('gives the API shape for a full form', () => {
    expect(formToTicketInput(makeForm())).toEqual({
      username: 'alice',
      contact_email: 'alice@example.org',
      request_type: 'lost_2fa',
      previous_emails: ['alice@old.example.com'],
      emails_still_read: ['alice@now.example.com'],
      projects: ['fast-json'],
      joined_approx: '2016-03',
      has_2fa: true,
      has_recovery_codes: 'unknown',
      details: 'I lost my phone.',
      coc_accepted: true,
      delay_acknowledged: true,
    });
  });

  it('gives empty strings, empty lists, "unknown" and false for an empty form', () => {
    expect(formToTicketInput({})).toEqual({
      username: '',
      contact_email: '',
      request_type: '',
      previous_emails: [],
      emails_still_read: [],
      projects: [],
      joined_approx: undefined,
      has_2fa: 'unknown',
      has_recovery_codes: 'unknown',
      details: undefined,
      coc_accepted: false,
      delay_acknowledged: false,
    });
  });

  describe('lists', () => {
    it('split on new lines (LF and CRLF)', () => {
      expect(formToTicketInput({ previous_emails: 'a@example.org\nb@example.org\r\nc@example.org' }).previous_emails).toEqual([
        'a@example.org',
        'b@example.org',
        'c@example.org',
      ]);
    });

    it('split on commas and semicolons, dropping blanks', () => {
      expect(formToTicketInput({ projects: ' fast-json, tiny.utils;;geo_kit ,\n\n, ' }).projects).toEqual(['fast-json', 'tiny.utils', 'geo_kit']);
    });

    it('are empty for a blank field', () => {
      expect(formToTicketInput({ projects: ' \n , ' }).projects).toEqual([]);
    });

    it('take the first value when a field is posted twice', () => {
      expect(formToTicketInput({ projects: ['a, b', 'c'] }).projects).toEqual(['a', 'b']);
    });
  });

  describe('tri-states', () => {
    it.each([
      ['true', true],
      ['false', false],
      ['unknown', 'unknown'],
      [undefined, 'unknown'],
    ])('reads %j as %j', (raw, value) => {
      const input = formToTicketInput({ has_2fa: raw, has_recovery_codes: raw });
      expect(input.has_2fa).toBe(value);
      expect(input.has_recovery_codes).toBe(value);
    });

    it('passes any other answer through for validation to refuse', () => {
      expect(formToTicketInput({ has_2fa: 'maybe' }).has_2fa).toBe('maybe');
      expect(formToTicketInput({ has_2fa: 'TRUE' }).has_2fa).toBe('TRUE');
    });
  });

  describe('checkboxes', () => {
    it.each(['true', 'on', 'yes'])('are ticked by %j', (raw) => {
      expect(formToTicketInput({ coc_accepted: raw, delay_acknowledged: raw })).toMatchObject({
        coc_accepted: true,
        delay_acknowledged: true,
      });
    });

    it.each([undefined, '', 'false', 'off', 'no', 'ON', '1'])('are not ticked by %j', (raw) => {
      expect(formToTicketInput({ coc_accepted: raw, delay_acknowledged: raw })).toMatchObject({
        coc_accepted: false,
        delay_acknowledged: false,
      });
    });
  });

  it('trims the optional texts and drops them when blank', () => {
    expect(formToTicketInput({ joined_approx: ' 2016 ', details: '  lost it \n' })).toMatchObject({ joined_approx: '2016', details: 'lost it' });
    expect(formToTicketInput({ joined_approx: '   ', details: '\n' })).toMatchObject({ joined_approx: undefined, details: undefined });
  });
});

describe('validateTicketForm', () => {
  it('gives a normalised CreateTicketDto for a valid form', async () => {
    const result = await validateTicketForm(
      makeForm({
        username: ' alice ',
        contact_email: ' Alice@Example.ORG ',
        previous_emails: 'A@example.org, a@example.org\r\nb@example.com',
        emails_still_read: 'B@example.com',
        projects: 'fast-json\ntiny.utils',
        has_2fa: 'false',
        details: '  hi  ',
        coc_accepted: 'on',
        delay_acknowledged: 'yes',
      }),
    );
    expect(result.errors).toBeNull();
    expect(result.dto).toBeInstanceOf(CreateTicketDto);
    expect({ ...result.dto }).toEqual({
      username: 'alice',
      contact_email: 'alice@example.org',
      request_type: 'lost_2fa',
      previous_emails: ['a@example.org', 'b@example.com'],
      emails_still_read: ['b@example.com'],
      projects: ['fast-json', 'tiny.utils'],
      joined_approx: '2016-03',
      has_2fa: false,
      has_recovery_codes: 'unknown',
      details: 'hi',
      coc_accepted: true,
      delay_acknowledged: true,
    });
  });

  it('accepts a form with only the required fields', async () => {
    const result = await validateTicketForm({
      username: 'alice',
      contact_email: 'alice@example.org',
      request_type: 'forgot_password',
      coc_accepted: 'on',
      delay_acknowledged: 'on',
    });
    expect(result.errors).toBeNull();
    expect(result.dto).toMatchObject({ previous_emails: [], projects: [], has_2fa: 'unknown', has_recovery_codes: 'unknown' });
  });

  it('reports every required field of an empty form, one message each', async () => {
    expect(await validateTicketForm({})).toEqual({
      dto: null,
      errors: {
        username: FORM_FIELD_MESSAGES.username,
        contact_email: FORM_FIELD_MESSAGES.contact_email,
        request_type: FORM_FIELD_MESSAGES.request_type,
        coc_accepted: FORM_FIELD_MESSAGES.coc_accepted,
        delay_acknowledged: FORM_FIELD_MESSAGES.delay_acknowledged,
      },
    });
  });

  it('reports a bad second address on previous_emails', async () => {
    expect(await validateTicketForm(makeForm({ previous_emails: 'alice@old.example.com\nnot-an-address' }))).toEqual({
      dto: null,
      errors: { previous_emails: FORM_FIELD_MESSAGES.previous_emails },
    });
  });

  it('reports a bad project on projects', async () => {
    expect(await validateTicketForm(makeForm({ projects: 'fast-json, -bad-' }))).toEqual({
      dto: null,
      errors: { projects: FORM_FIELD_MESSAGES.projects },
    });
  });

  it('reports too many addresses', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `a${i}@example.org`).join('\n');
    expect((await validateTicketForm(makeForm({ previous_emails: many }))).errors).toEqual({
      previous_emails: FORM_FIELD_MESSAGES.previous_emails,
    });
  });

  it('keys every error by its form field', async () => {
    const result = await validateTicketForm(
      makeForm({
        username: 'al ice',
        request_type: 'lost_everything',
        joined_approx: '1999',
        has_2fa: 'maybe',
        has_recovery_codes: 'toString',
        details: 'a\u0000b',
        delay_acknowledged: 'off',
      }),
    );
    expect(result.dto).toBeNull();
    expect(result.errors).toEqual({
      username: FORM_FIELD_MESSAGES.username,
      request_type: FORM_FIELD_MESSAGES.request_type,
      joined_approx: FORM_FIELD_MESSAGES.joined_approx,
      has_2fa: FORM_FIELD_MESSAGES.has_2fa,
      has_recovery_codes: FORM_FIELD_MESSAGES.has_recovery_codes,
      details: FORM_FIELD_MESSAGES.details,
      delay_acknowledged: FORM_FIELD_MESSAGES.delay_acknowledged,
    });
  });

  it('refuses details over 5,000 characters', async () => {
    expect((await validateTicketForm(makeForm({ details: 'x'.repeat(5001) }))).errors).toEqual({
      details: FORM_FIELD_MESSAGES.details,
    });
    expect((await validateTicketForm(makeForm({ details: 'x'.repeat(5000) }))).errors).toBeNull();
  });

  it('ignores fields the form does not have', async () => {
    const result = await validateTicketForm(makeForm({ _csrf: 'abc', admin: 'true' }));
    expect(result.errors).toBeNull();
    expect(result.dto).not.toHaveProperty('admin');
  });
});

describe('validateTicketForm with values that are not text (a JSON body sent to the form)', () => {
  it.each([
    ['username', [{}, '']],
    ['previous_emails', { prototype: true }],
    ['projects', 12],
    ['has_2fa', ['0Jc<S8Oy3>', 1]],
    ['details', [[], []]],
    ['coc_accepted', true],
  ])('refuses %s holding %j beside that field, without throwing', async (field, value) => {
    const result = await validateTicketForm({ ...makeForm(), [field]: value });
    expect(result).toEqual({ dto: null, errors: { [field]: FORM_FIELD_MESSAGES[field] } });
  });

  it('names the first such field and accepts repeated text fields', async () => {
    expect(nonTextField({ ...makeForm(), projects: ['a', 'b'], username: null })).toBe('username');
    expect(nonTextField({ ...makeForm(), projects: ['a', 'b'] })).toBeNull();
  });

  it('takes "constructor" in a yes/no/unknown field as a wrong answer, not as an inherited method', async () => {
    const result = await validateTicketForm(makeForm({ has_2fa: 'constructor' }));
    expect(result).toEqual({ dto: null, errors: { has_2fa: FORM_FIELD_MESSAGES.has_2fa } });
  });
});

describe('formValuesToShow', () => {
  it('keeps the text of each form field (the first of a repeated one) and drops anything else', () => {
    const shown = formValuesToShow({
      username: { toString: null },
      contact_email: ['a@example.org', 'b@example.org'],
      projects: [[['x']]],
      details: 'hi',
      other: 'x',
    });
    expect(shown).toEqual({ contact_email: 'a@example.org', details: 'hi' });
  });
});
