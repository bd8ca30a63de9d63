import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { MODERATOR_ID_PATTERN } from '../review-api.guard.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ReasonDto {
  @ApiProperty({ description: 'Why, for the timeline (1-500 characters).' })
  @Transform(trim)
  @IsString({ message: 'reason must be text' })
  @Length(1, 500, { message: 'reason must be 1 to 500 characters' })
  reason: string;
}

export class ReassignDto {
  @ApiProperty({ description: 'The moderator who takes the ticket over.' })
  @IsString({ message: 'to must name a moderator' })
  @Matches(MODERATOR_ID_PATTERN, { message: 'to must be 1-50 lower-case letters, digits, dots, dashes or underscores' })
  to: string;
}
