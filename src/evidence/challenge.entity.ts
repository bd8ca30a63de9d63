import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { DateTimeColumn } from '../database/columns.js';

/** `publisher`: a trusted-publisher challenge (a GitHub Actions OIDC token whose audience is a nonce); `github_identity`: the linked GitHub account, signed in to through the OAuth device flow. */
export type ChallengeKind = 'email' | 'repository' | 'publisher' | 'github_identity';

/**
 * `pending`: waiting for the requester. `passed`: control proven (a code typed back, or the token found
 * in a repository of one of the account's projects). `found_elsewhere`: the token was found, but in a
 * repository that is not one of the account's projects released before the request, so it proves
 * nothing. `locked`: too many wrong codes. `failed`: a moderator recorded a failure. `expired`,
 * `superseded`: replaced by time or by a newer challenge. `other_identity`: a linked-identity check signed
 * in to a GitHub account whose id is not the linked one (or the account links none): it proves nothing.
 */
export type ChallengeState = 'pending' | 'passed' | 'found_elsewhere' | 'other_identity' | 'locked' | 'failed' | 'expired' | 'superseded';

/** A proof-of-control challenge: an e-mail code or a repository token. */
@Entity('challenges')
@Index('ix_challenges_ticket', ['ticketId', 'kind', 'state'])
export class Challenge {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ name: 'ticket_id', type: 'varchar', length: 36 })
  ticketId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ChallengeKind;

  /**
   * E-mail: the address key the code went to. Repository: `host/owner/name`, lower case. Publisher:
   * `GitHub Actions` until a token comes, then the repository the token came from. Linked GitHub
   * identity: `github.com` while pending, then `github:<numeric user id>` of the account signed in to.
   */
  @Column({ type: 'varchar', length: 300 })
  target: string;

  /** Repository: the account's project whose repository this is, if any (set when known). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  project: string | null;

  /**
   * E-mail: HMAC-SHA256 of the code under the app's secret key; publisher: of the nonce. The code or
   * nonce itself is never stored or logged.
   */
  @Column({ name: 'secret_hash', type: 'varchar', length: 64, nullable: true })
  secretHash: string | null;

  /**
   * Linked GitHub identity: the user code GitHub gave, which the requester types at GitHub (shown again
   * on the status page; useless without the device code, which is sealed in `github_device_flows`).
   * Repository: the token the requester publishes. Kept in the clear on purpose: it is meant to be
   * public once pushed, proves nothing without write access to the repository, and the status page
   * shows it again.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  token: string | null;

  /**
   * An e-mail challenge for an address that is not on file (or an account that does not exist): no
   * mail is sent and no code can pass, but the requester sees and does exactly what an owner would,
   * so the page never tells whether an address is on file.
   */
  @Column({ type: 'boolean', default: false })
  decoy: boolean;

  @Column({ type: 'varchar', length: 16 })
  state: ChallengeState;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @DateTimeColumn({ name: 'expires_at' })
  expiresAt: Date;

  /** `system` or `moderator:<name>`. */
  @Column({ name: 'created_by', type: 'varchar', length: 60 })
  createdBy: string;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'resolved_at', nullable: true })
  resolvedAt: Date | null;

  /** A moderator's note when the result was recorded by hand, or what the verifier saw. */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  note: string | null;
}
