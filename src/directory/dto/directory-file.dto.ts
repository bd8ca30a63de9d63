import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsPlainEmail } from '../../common/plain-email.js';
import { PROJECT_NAME_PATTERN, REPOSITORY_URL_PATTERN, USERNAME_PATTERN } from '../../common/normalize.js';

const ISO = { message: '$property must be an ISO 8601 date-time such as 2016-03-14T10:00:00Z' };

export class DirectoryEmailDto {
  @IsPlainEmail({ message: 'address must be an e-mail address' })
  @MaxLength(254)
  address: string;

  @IsBoolean() verified: boolean;
  @IsBoolean() primary: boolean;
  @IsBoolean() public: boolean;

  @IsISO8601({ strict: true }, ISO)
  added_at: string;

  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true }, ISO)
  removed_at: string | null;
}

export class DirectoryTwoFactorDto {
  @IsBoolean() totp: boolean;
  @IsInt() @Min(0) webauthn_keys: number;
  @IsInt() @Min(0) recovery_codes_unused: number;
}

/** GitHub's rules: an owner of up to 39 letters, digits and dashes; a repository name of up to 100 of `A-Za-z0-9_.-`. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9_.-]{1,100}$/;
/** A file directly under `.github/workflows/`, as GitHub's OIDC claims name it. */
const WORKFLOW_FILE = /^[A-Za-z0-9_.-]{1,100}\.ya?ml$/;
/** Printable, no leading or trailing space (GitHub environment names). */
const ENVIRONMENT_NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$/;
const NUMERIC_ID = /^[0-9]{1,20}$/;

/**
 * A trusted publisher of a project (docs/operations.md, "The directory format"): the CI workflow the
 * index lets publish releases. Only GitHub Actions for now.
 */
export class DirectoryTrustedPublisherDto {
  @IsIn(['github'], { message: 'provider must be github' })
  provider: 'github';

  @IsString()
  @Matches(GITHUB_REPOSITORY, { message: 'repository must be owner/name, such as octo-org/fancy-lib' })
  repository: string;

  @IsString()
  @Matches(WORKFLOW_FILE, { message: 'workflow must be the file name of a workflow in .github/workflows, such as release.yml' })
  workflow: string;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Matches(ENVIRONMENT_NAME, { message: 'environment must be a GitHub environment name (1-255 printable characters)' })
  environment?: string | null;

  /** GitHub's numeric ids: when given, a renamed repository (and its name taken by someone else) does not match. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString({ message: 'repository_id must be a string of digits' })
  @Matches(NUMERIC_ID, { message: 'repository_id must be a string of digits' })
  repository_id?: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString({ message: 'repository_owner_id must be a string of digits' })
  @Matches(NUMERIC_ID, { message: 'repository_owner_id must be a string of digits' })
  repository_owner_id?: string | null;
}

export class DirectoryProjectDto {
  @IsString()
  @Matches(PROJECT_NAME_PATTERN, { message: 'name must be a valid project name' })
  name: string;

  @IsIn(['Owner', 'Maintainer'], { message: 'role must be Owner or Maintainer' })
  role: 'Owner' | 'Maintainer';

  @IsInt() @Min(0) monthly_downloads: number;

  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true }, ISO)
  first_release_at: string | null;

  /** Where repository challenges are checked: `https://github.com/owner/name`. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @MaxLength(300, { message: 'repository must be at most 300 characters' })
  @Matches(REPOSITORY_URL_PATTERN, { message: 'repository must be an https URL such as https://github.com/owner/name' })
  repository?: string | null;

  /** Where a trusted-publisher challenge is checked (docs/evidence.md, "Proving control"). */
  @IsOptional()
  @IsArray({ message: 'trusted_publishers must be an array' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => DirectoryTrustedPublisherDto)
  trusted_publishers?: DirectoryTrustedPublisherDto[];
}

/** One account of the directory file (see the README for the format). */
export class DirectoryAccountDto {
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be a PyPI username (letters, digits, . _ -; at most 50)' })
  username: string;

  @IsString()
  @MaxLength(200)
  name: string;

  @IsISO8601({ strict: true }, ISO)
  joined_at: string;

  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true }, ISO)
  last_login_at: string | null;

  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @MaxLength(100)
  linked_github: string | null;

  /** The linked GitHub account's numeric user id (GitHub's `id`, not the login); optional. */
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @ValidateBy(
    { name: 'isGithubUserId', validator: { validate: (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value > 0 } },
    { message: 'linked_github_id must be a GitHub user id (a positive whole number)' },
  )
  linked_github_id?: number | null;

  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => DirectoryEmailDto)
  emails: DirectoryEmailDto[];

  @IsDefined({ message: 'two_factor is required' })
  @ValidateNested()
  @Type(() => DirectoryTwoFactorDto)
  two_factor: DirectoryTwoFactorDto;

  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => DirectoryProjectDto)
  projects: DirectoryProjectDto[];
}
