import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, Equals, IsArray, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { HasNoControlCharacters, trim } from '../../common/dto-rules.js';
import { IsPlainEmail } from '../../common/plain-email.js';
import { emailKey, PROJECT_NAME_PATTERN, USERNAME_PATTERN } from '../../common/normalize.js';
import { CLAIM_LIMITS } from '../../tickets/claims.js';
import { REQUEST_TYPES, type RequestType } from '../../tickets/ticket.types.js';

const normaliseEmail = ({ value }: { value: unknown }) => (typeof value === 'string' ? emailKey(value) : value);
const normaliseEmails = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? [...new Set((value as unknown[]).map((v) => (typeof v === 'string' ? emailKey(v) : v)))] : value;
const trimEach = ({ value }: { value: unknown }) =>
  Array.isArray(value) ? [...new Set((value as unknown[]).map((v) => (typeof v === 'string' ? v.trim() : v)))] : value;

/** An optional list of at most `max` addresses, normalised and deduplicated, each message naming the field. */
function OptionalEmailList(field: string, max: number): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Transform(normaliseEmails),
    IsArray({ message: `${field} must be a list of e-mail addresses` }),
    ArrayMaxSize(max, { message: `${field} must have at most ${max} addresses` }),
    MaxLength(254, { each: true, message: `each of ${field} must be at most 254 characters` }),
    IsPlainEmail({ each: true, message: `each of ${field} must be an e-mail address such as name@example.org (no quotes, commas, spaces or angle brackets)` }),
  );
}

export const TRI_STATE_VALUES = [true, false, 'unknown'] as const;
export type TriStateInput = (typeof TRI_STATE_VALUES)[number];

/** An account recovery request, as the form and the JSON API take it. */
export class CreateTicketDto {
  @ApiProperty({ example: 'alice', description: 'The PyPI username of the account to recover.' })
  @Transform(trim)
  @IsString({ message: 'username is required' })
  @Matches(USERNAME_PATTERN, { message: 'username must be 1-50 letters, digits, ".", "_" or "-", starting and ending with a letter or digit' })
  username: string;

  @ApiProperty({ example: 'alice@example.org', description: 'Where we can reach you now; it need not be on the account.' })
  @Transform(normaliseEmail)
  @IsString({ message: 'contact_email is required' })
  @MaxLength(254, { message: 'contact_email must be at most 254 characters' })
  @IsPlainEmail({ message: 'contact_email must be an e-mail address such as name@example.org (no quotes, commas, spaces or angle brackets)' })
  contact_email: string;

  @ApiProperty({ enum: REQUEST_TYPES })
  @IsIn(REQUEST_TYPES, { message: `request_type must be one of ${REQUEST_TYPES.join(', ')}` })
  request_type: RequestType;

  @ApiPropertyOptional({ type: [String], description: 'Addresses you used on the account before (at most 20).' })
  @OptionalEmailList('previous_emails', CLAIM_LIMITS.previous_emails)
  previous_emails?: string[];

  @ApiPropertyOptional({
    type: [String],
    description:
      'Addresses on the account you can still read mail at (at most 5). If one is on file, a one-time code is sent there; ' +
      'type it on the status page to prove you control it. They count as addresses you used on the account.',
  })
  @OptionalEmailList('emails_still_read', CLAIM_LIMITS.emails_still_read)
  emails_still_read?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Projects you maintain on the account (at most 100).' })
  @IsOptional()
  @Transform(trimEach)
  @IsArray({ message: 'projects must be a list of project names' })
  @ArrayMaxSize(CLAIM_LIMITS.projects, { message: `projects must have at most ${CLAIM_LIMITS.projects} names` })
  @IsString({ each: true, message: 'each of projects must be a project name' })
  @Matches(PROJECT_NAME_PATTERN, { each: true, message: 'each of projects must be a valid project name (letters, digits, ".", "_", "-")' })
  projects?: string[];

  @ApiPropertyOptional({ example: '2016-03', description: 'When you joined, roughly: YYYY or YYYY-MM.' })
  @IsOptional()
  @Transform(trim)
  @IsString({ message: 'joined_approx must be YYYY or YYYY-MM' })
  @Matches(/^20\d\d(-(0[1-9]|1[0-2]))?$/, { message: 'joined_approx must be YYYY or YYYY-MM, such as 2016 or 2016-03' })
  joined_approx?: string;

  @ApiPropertyOptional({ enum: TRI_STATE_VALUES, description: 'Did the account have two-factor authentication?' })
  @IsOptional()
  @IsIn(TRI_STATE_VALUES, { message: 'has_2fa must be true, false or "unknown"' })
  has_2fa?: TriStateInput;

  @ApiPropertyOptional({ enum: TRI_STATE_VALUES, description: 'Did you generate recovery codes?' })
  @IsOptional()
  @IsIn(TRI_STATE_VALUES, { message: 'has_recovery_codes must be true, false or "unknown"' })
  has_recovery_codes?: TriStateInput;

  @ApiPropertyOptional({ maxLength: 5000, description: 'Anything else that shows the account is yours.' })
  @IsOptional()
  @IsString({ message: 'details must be text' })
  @MaxLength(5000, { message: 'details must be at most 5,000 characters' })
  @HasNoControlCharacters({ message: 'details must not contain control characters' })
  details?: string;

  @ApiProperty({ enum: [true], description: 'You accept the Code of Conduct (GET /code-of-conduct).' })
  @Equals(true, { message: 'coc_accepted must be true: the Code of Conduct must be accepted' })
  coc_accepted: true;

  @ApiProperty({ enum: [true], description: 'You understand that a review can take a long time.' })
  @Equals(true, { message: 'delay_acknowledged must be true: please confirm you understand it can take a long time' })
  delay_acknowledged: true;
}

export class CreateTicketResponseDto {
  @ApiProperty({ example: 'RD-7K3F9Q' }) reference: string;
  @ApiProperty({ nullable: true, description: 'Shown once; also mailed. Null when the request was added to an open one.' })
  status_url: string | null;
  @ApiProperty({ example: 'submitted' }) state: string;
  @ApiProperty({ description: 'True when this was added to an open request from the same address.' }) follow_up: boolean;
  @ApiProperty() message: string;
}

export class MessageDto {
  @Transform(trim)
  @IsString({ message: 'message is required' })
  @Matches(/\S/, { message: 'message must not be empty' })
  @MaxLength(5000, { message: 'message must be at most 5,000 characters' })
  @HasNoControlCharacters({ message: 'message must not contain control characters' })
  message: string;
}
