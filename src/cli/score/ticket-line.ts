/**
 * One line of the score CLI's tickets file: the intake API's JSON plus a `ref`, checked exactly as
 * `POST /api/v1/tickets` checks its body, then turned into the scorer's TicketEvidence.
 */
import { plainToInstance } from 'class-transformer';
import { type ValidatorOptions, validateSync } from 'class-validator';
import type { FieldError } from '../../common/domain.exception.js';
import { findUnsafeInput, flattenValidationErrors } from '../../common/validation.js';
import { CreateTicketDto } from '../../intake/dto/create-ticket.dto.js';
import { claimsOf } from '../../intake/intake.service.js';
import type { TicketEvidence } from '../../scoring/scoring.types.js';

export const MAX_REF_LENGTH = 100;

/** The options of the app's global ValidationPipe (`createValidationPipe`): unknown fields are refused. */
export const TICKET_VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: true },
};

export type TicketLine = { ok: true; ref: string; username: string; ticket: TicketEvidence } | { ok: false; errors: FieldError[] };

function refErrors(ref: unknown): FieldError[] {
  const reasons =
    ref === undefined || ref === null
      ? ['ref is required']
      : typeof ref !== 'string'
        ? ['ref must be a string']
        : ref.trim() === ''
          ? ['ref must not be empty']
          : ref.length > MAX_REF_LENGTH
            ? [`ref must be at most ${MAX_REF_LENGTH} characters`]
            : [];
  return reasons.length ? [{ field: 'ref', reasons }] : [];
}

/** A validated request as the scorer sees it: the account's only open ticket, no challenge passed yet. */
export function ticketEvidenceOf(dto: CreateTicketDto, submittedAt: Date): TicketEvidence {
  return {
    contactEmail: dto.contact_email,
    requestType: dto.request_type,
    claims: claimsOf(dto),
    competingRequests: false,
    submittedAt,
  };
}

/**
 * Parses and validates one line. Errors come back as the API names them (`contact_email`,
 * `previous_emails.2`), plus `ref`, and `body` for a line that is not a JSON object.
 */
export function parseTicketLine(text: string, submittedAt: Date): TicketLine {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [{ field: 'body', reasons: [`not valid JSON: ${(error as Error).message}`] }] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, errors: [{ field: 'body', reasons: ['each line must be a JSON object'] }] };
  }
  const unsafe = findUnsafeInput(data);
  if (unsafe) return { ok: false, errors: [unsafe] };

  const { ref, ...body } = data as Record<string, unknown>;
  const dto = plainToInstance(CreateTicketDto, body);
  const errors = [...refErrors(ref), ...flattenValidationErrors(validateSync(dto, TICKET_VALIDATOR_OPTIONS))];
  if (errors.length) return { ok: false, errors };
  return { ok: true, ref: ref as string, username: dto.username, ticket: ticketEvidenceOf(dto, submittedAt) };
}
