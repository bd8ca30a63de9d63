import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BigIntColumn, DateTimeColumn, JsonColumn } from '../database/columns.js';

/**
 * A WebAuthn credential a moderator added as a second factor (docs/security.md #15): at sign-in it may
 * stand in for the TOTP code. Only the public key is stored; the private key never leaves the authenticator.
 */
@Entity('passkeys')
export class Passkey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_passkeys_moderator')
  @Column({ name: 'moderator_id', type: 'varchar', length: 36 })
  moderatorId: string;

  /** The credential id as the authenticator made it, base64url (at most 1023 bytes, so 1364 characters). */
  @Index('ux_passkeys_credential', { unique: true })
  @Column({ name: 'credential_id', type: 'varchar', length: 1400 })
  credentialId: string;

  /** The COSE public key, base64url. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey: string;

  /** The authenticator's signature counter at the last use: a later assertion must carry a higher one (or both 0). */
  @BigIntColumn({ name: 'counter' })
  counter: number;

  /** What the browser said the authenticator speaks (`usb`, `internal`, …): passed back as hints at sign-in. */
  @JsonColumn({ name: 'transports' })
  transports: string[];

  /** The person's own name for it ("YubiKey on my keyring"). */
  @Column({ type: 'varchar', length: 60 })
  name: string;

  @DateTimeColumn({ name: 'created_at' })
  createdAt: Date;

  @DateTimeColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;
}
