import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryColumn } from 'typeorm';
import { BigIntColumn, DateTimeColumn, JsonColumn } from '../database/columns.js';
import type { TrustedPublisherRecord } from '../scoring/account-record.js';

/** A package-index account: the stand-in for PyPI's user table. */
@Entity('accounts')
export class Account {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 50 })
  username: string;

  /** Usernames are unique case-insensitively, as on PyPI. */
  @Index('ux_accounts_username_key', { unique: true })
  @Column({ name: 'username_key', type: 'varchar', length: 50 })
  usernameKey: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  name: string;

  @DateTimeColumn({ name: 'joined_at' })
  joinedAt: Date;

  @DateTimeColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt: Date | null;

  @Column({ name: 'linked_github', type: 'varchar', length: 100, nullable: true })
  linkedGithub: string | null;

  /** The linked GitHub account's numeric user id (logins can be renamed and re-registered; the id cannot). */
  @BigIntColumn({ name: 'linked_github_id', nullable: true })
  linkedGithubId: number | null;

  @Column({ name: 'totp_enabled', type: 'boolean', default: false })
  totpEnabled: boolean;

  @Column({ name: 'webauthn_keys', type: 'integer', default: 0 })
  webauthnKeys: number;

  @Column({ name: 'recovery_codes_unused', type: 'integer', default: 0 })
  recoveryCodesUnused: number;

  /** Set through a reset link (argon2id PHC string); moderators never see or choose it. */
  @Column({ name: 'password_hash', type: 'varchar', length: 200, nullable: true })
  passwordHash: string | null;

  /** When the password was last set through a reset link: sessions older than this are no longer valid. */
  @DateTimeColumn({ name: 'password_changed_at', nullable: true })
  passwordChangedAt: Date | null;

  /** Fingerprint of the record last imported: an unchanged record is skipped on re-import. */
  @Column({ name: 'import_hash', type: 'varchar', length: 32, nullable: true })
  importHash: string | null;

  @OneToMany(() => AccountEmail, (email) => email.account)
  emails?: AccountEmail[];

  @OneToMany(() => AccountProject, (project) => project.account)
  projects?: AccountProject[];
}

@Entity('account_emails')
@Index('ix_account_emails_address_key', ['addressKey'])
export class AccountEmail {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_account_emails_account')
  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 254 })
  address: string;

  @Column({ name: 'address_key', type: 'varchar', length: 254 })
  addressKey: string;

  @Column({ type: 'boolean', default: false })
  verified: boolean;

  @Column({ name: 'is_primary', type: 'boolean', default: false })
  primary: boolean;

  /** Shown on the public profile or in package metadata: anyone can know it. */
  @Column({ name: 'is_public', type: 'boolean', default: false })
  public: boolean;

  @DateTimeColumn({ name: 'added_at' })
  addedAt: Date;

  @DateTimeColumn({ name: 'removed_at', nullable: true })
  removedAt: Date | null;

  @ManyToOne(() => Account, (account) => account.emails, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;
}

@Entity('account_projects')
@Index('ix_account_projects_name_key', ['nameKey'])
export class AccountProject {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_account_projects_account')
  @Column({ name: 'account_id', type: 'varchar', length: 36 })
  accountId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** PEP 503 normalised name: lower case, runs of `-_.` folded to `-`. */
  @Column({ name: 'name_key', type: 'varchar', length: 200 })
  nameKey: string;

  @Column({ type: 'varchar', length: 20 })
  role: 'Owner' | 'Maintainer';

  @BigIntColumn({ name: 'monthly_downloads', default: 0 })
  monthlyDownloads: number;

  @DateTimeColumn({ name: 'first_release_at', nullable: true })
  firstReleaseAt: Date | null;

  /** The source repository, e.g. `https://github.com/owner/name`: where a repository challenge is checked. */
  @Column({ name: 'repository_url', type: 'varchar', length: 300, nullable: true })
  repositoryUrl: string | null;

  /** The CI workflows trusted to publish the project (JSON); null when it has none. */
  @JsonColumn({ name: 'trusted_publishers', nullable: true })
  trustedPublishers: TrustedPublisherRecord[] | null;

  @ManyToOne(() => Account, (account) => account.projects, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'account_id' })
  account?: Account;
}
