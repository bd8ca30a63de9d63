import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { findUnsafeInput, flattenValidationErrors } from '../common/validation.js';
import { CreateTicketDto } from './dto/create-ticket.dto.js';

export type FormBody = Record<string, string | string[] | undefined>;

const first = (body: FormBody, key: string): string | undefined => {
  const value = body[key];
  return Array.isArray(value) ? value[0] : value;
};
const list = (body: FormBody, key: string): string[] => (first(body, key) ?? '').split(/[\s,;]+/).filter(Boolean);
const TRI: Record<string, boolean | 'unknown'> = { true: true, false: false, unknown: 'unknown' };
// Own keys only: 'constructor' or 'toString' typed into the field must not pick up Object's methods.
const triOf = (raw: string): unknown => (Object.hasOwn(TRI, raw) ? TRI[raw] : raw);
const checked = (body: FormBody, key: string) => ['true', 'on', 'yes'].includes(first(body, key) ?? '');

/** The HTML form's fields (strings; lists one per line or comma-separated) in the API's shape. */
export function formToTicketInput(body: FormBody): Record<string, unknown> {
  const tri = (key: string) => {
    return triOf(first(body, key) ?? 'unknown');
  };
  return {
    username: first(body, 'username') ?? '',
    contact_email: first(body, 'contact_email') ?? '',
    request_type: first(body, 'request_type') ?? '',
    previous_emails: list(body, 'previous_emails'),
    emails_still_read: list(body, 'emails_still_read'),
    projects: list(body, 'projects'),
    joined_approx: first(body, 'joined_approx')?.trim() || undefined,
    has_2fa: tri('has_2fa'),
    has_recovery_codes: tri('has_recovery_codes'),
    details: first(body, 'details')?.trim() || undefined,
    coc_accepted: checked(body, 'coc_accepted'),
    delay_acknowledged: checked(body, 'delay_acknowledged'),
  };
}

/**
 * What the form says beside a wrong field: the API's rules, in words for people (the API's own messages
 * name wire fields and codes). Missing answers and wrong ones get the same plain instruction.
 */
export const FORM_FIELD_MESSAGES: Record<string, string> = {
  username: 'Enter the username of the account: letters, digits, ".", "_" or "-", at most 50 characters.',
  contact_email: 'Enter an e-mail address where we can reach you, such as name@example.org.',
  request_type: 'Choose what happened.',
  previous_emails: 'Enter up to 20 e-mail addresses, one per line, such as name@example.org.',
  emails_still_read: 'Enter up to 5 e-mail addresses, one per line, such as name@example.org.',
  projects: 'Enter up to 100 project names, one per line (letters, digits, ".", "_" or "-").',
  joined_approx: 'Enter a year such as 2016, or a year and month such as 2016-03.',
  has_2fa: 'Choose yes, no or "I don\'t know".',
  has_recovery_codes: 'Choose yes, no or "I don\'t know".',
  details: 'Keep this under 5,000 characters, with no control characters.',
  coc_accepted: 'Accept the Code of Conduct to send a request.',
  delay_acknowledged: 'Confirm that you understand a review can take months.',
};

/**
 * The first form field holding something other than text (or repeated text). A browser sends only text,
 * but the route also parses JSON bodies, whose values can be numbers, objects or nested arrays: each is
 * refused beside its field instead of reaching the string handling below (docs/security.md, "Fuzzing").
 */
export function nonTextField(body: Record<string, unknown>): string | null {
  for (const field of Object.keys(FORM_FIELD_MESSAGES)) {
    const value = Object.hasOwn(body, field) ? body[field] : undefined;
    if (value === undefined || typeof value === 'string') continue;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) continue;
    return field;
  }
  return null;
}

/**
 * What the form shows again after a refusal: each field's text as sent (the first of a repeated field),
 * and nothing for a value that is not text. The page must render whatever was posted: a JSON object
 * with a null toString, or arrays nested thousands deep, would make the template throw (docs/security.md #33).
 */
export function formValuesToShow(body: Record<string, unknown>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const field of Object.keys(FORM_FIELD_MESSAGES)) {
    const value = Object.hasOwn(body, field) ? body[field] : undefined;
    const text = Array.isArray(value) ? (value as unknown[])[0] : value;
    if (typeof text === 'string') shown[field] = text;
  }
  return shown;
}

/** Validates with the API's own rules; errors keyed by form field (list items report on their list). */
export async function validateTicketForm(
  body: Record<string, unknown>,
): Promise<{ dto: CreateTicketDto; errors: null } | { dto: null; errors: Record<string, string> }> {
  const wrongType = nonTextField(body);
  if (wrongType) return { dto: null, errors: { [wrongType]: FORM_FIELD_MESSAGES[wrongType] } };
  const input = formToTicketInput(body as FormBody);
  const unsafe = findUnsafeInput(input);
  if (unsafe) return { dto: null, errors: { [unsafe.field.split('.')[0]]: FORM_FIELD_MESSAGES[unsafe.field.split('.')[0]] ?? unsafe.reasons[0] } };
  const dto = plainToInstance(CreateTicketDto, input);
  const problems = flattenValidationErrors(await validate(dto, { whitelist: true, forbidNonWhitelisted: true }));
  if (problems.length === 0) return { dto, errors: null };
  const errors: Record<string, string> = {};
  for (const { field, reasons } of problems) {
    const name = field.split('.')[0];
    errors[name] ??= FORM_FIELD_MESSAGES[name] ?? reasons[0];
  }
  return { dto: null, errors };
}
