import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { IsPlainEmail } from '../../common/plain-email.js';
import { HasNoControlCharacters, trim } from '../../common/dto-rules.js';
import { emailKey } from '../../common/normalize.js';

const lowerEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? emailKey(value) : value);

/** A reply to the requester built from a template (deny, ask for information), plus optional words of the moderator's own. */
export class ReplyDto {
  @IsString({ message: 'template is required' })
  @Matches(/^[a-z0-9-]{1,60}$/, { message: 'template must be one of the listed templates' })
  template: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'message must be text' })
  @MaxLength(2000, { message: 'message must be at most 2,000 characters' })
  @HasNoControlCharacters({ message: 'message must not contain control characters' })
  message?: string;
}

/** An internal note: moderators only, never shown to the requester. */
export class NoteDto {
  @Transform(trim)
  @IsString({ message: 'note is required' })
  @Matches(/\S/, { message: 'note must not be empty' })
  @MaxLength(5000, { message: 'note must be at most 5,000 characters' })
  @HasNoControlCharacters({ message: 'note must not contain control characters' })
  note: string;
}

/** Why a ticket goes to a senior moderator (and, as ReopenDto, why a closed one is reopened). */
export class EscalateDto {
  @Transform(trim)
  @IsString({ message: 'reason is required' })
  @Matches(/\S/, { message: 'reason must not be empty' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  @HasNoControlCharacters({ message: 'reason must not contain control characters' })
  reason: string;
}

export const CHALLENGE_KINDS = ['email', 'repository'] as const;

/** Send a one-time code to an address on file, or ask the requester to push a token to a project's repository. */
export class ChallengeDto {
  @IsIn(CHALLENGE_KINDS, { message: 'kind must be email or repository' })
  kind: (typeof CHALLENGE_KINDS)[number];

  @IsOptional()
  @Transform(lowerEmail)
  @IsPlainEmail({ message: 'address must be an e-mail address' })
  @MaxLength(254, { message: 'address must be at most 254 characters' })
  address?: string;

  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'repository must be text' })
  @MaxLength(300, { message: 'repository must be at most 300 characters' })
  repository?: string;
}

export const COC_METHODS = ['mail_reply', 'status_page_message', 'issue_comment', 'other'] as const;
export type CocMethod = (typeof COC_METHODS)[number];

/** A Code of Conduct acceptance given outside the intake form, recorded by a moderator. */
export class CocRecordDto {
  @Transform(trim)
  @IsString({ message: 'version is required' })
  @Matches(/^\d{4}-\d{2}$/, { message: 'version must look like 2026-11' })
  version: string;

  @Transform(trim)
  @IsISO8601({ strict: true }, { message: 'accepted_at must be a date and time such as 2026-11-20T14:30' })
  accepted_at: string;

  @IsIn(COC_METHODS, { message: `method must be one of: ${COC_METHODS.join(', ')}` })
  method: CocMethod;
}

/**
 * How an approval re-authenticates (docs/security.md #15): a fresh TOTP code in `code`, or a passkey's
 * answer (navigator.credentials.get(), as JSON text; views/static/passkeys.js puts it there) in
 * `passkey_assertion`. Its shape is checked by parseAssertion (src/auth/passkey-rules.ts).
 */
export interface ReauthFields {
  code?: string;
  passkey_assertion?: string;
}

/** Far above a real assertion (a few hundred bytes, base64url) and below the body limit. */
const PASSKEY_ASSERTION_MAX = 40_000;
const emptyAsAbsent = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** The approval: where the reset link goes, and a fresh second factor (re-authentication). */
export class ApproveDto {
  @Transform(lowerEmail)
  @IsPlainEmail({ message: 'reset_address must be an e-mail address' })
  @MaxLength(254, { message: 'reset_address must be at most 254 characters' })
  reset_address: string;

  /** Only for an approval against the recommendation (a senior's; see src/tickets/approval-guard.ts). */
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'override_reason must be text' })
  @MaxLength(2000, { message: 'override_reason must be at most 2000 characters' })
  @HasNoControlCharacters({ message: 'override_reason must not contain control characters' })
  override_reason?: string;

  /** A fresh TOTP code, unless a passkey confirms the approval instead. */
  @ValidateIf((o: ReauthFields) => o.passkey_assertion === undefined)
  @Transform(trim)
  @IsString({ message: 'code is required' })
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits from your authenticator app' })
  code?: string;

  @IsOptional()
  @Transform(emptyAsAbsent)
  @IsString({ message: 'passkey_assertion must be text' })
  @MaxLength(PASSKEY_ASSERTION_MAX, { message: 'passkey_assertion is too long' })
  passkey_assertion?: string;
}

/** The second senior moderator's approval: a fresh second-factor code too, or a passkey. */
export class SecondApprovalDto {
  @ValidateIf((o: ReauthFields) => o.passkey_assertion === undefined)
  @Transform(trim)
  @IsString({ message: 'code is required' })
  @Matches(/^\d{6}$/, { message: 'code must be the 6 digits from your authenticator app' })
  code?: string;

  @IsOptional()
  @Transform(emptyAsAbsent)
  @IsString({ message: 'passkey_assertion must be text' })
  @MaxLength(PASSKEY_ASSERTION_MAX, { message: 'passkey_assertion is too long' })
  passkey_assertion?: string;
}

/** Why a denied or unanswered ticket is reopened: the same one reason field. */
export class ReopenDto extends EscalateDto {}
