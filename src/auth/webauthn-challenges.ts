import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { REDIS } from '../redis/redis.constants.js';
import { CHALLENGE_TTL_MS } from './passkey-rules.js';

/**
 * What a challenge is for. `reauth`: a passkey confirming an action of someone already signed in (an
 * approval, adding a passkey), bound to that action by PendingCeremony.action (docs/security.md #15).
 */
export type CeremonyPurpose = 'register' | 'sign-in' | 'reauth';

/** What was asked of the browser, kept until its answer comes back (or CHALLENGE_TTL_MS passes). */
export interface PendingCeremony {
  challenge: string;
  moderatorId: string;
  /** Registration only: the name the person gave the new passkey. */
  name?: string;
  /** Registration only: the second factor that confirmed it was the person adding it. */
  confirmedWith?: 'totp' | 'passkey';
  /** Re-authentication only: what it confirms (`approve:<reference>`, `add-passkey`); an answer for another action is refused. */
  action?: string;
}

/**
 * WebAuthn challenges (docs/security.md #15): one per session and purpose, in Redis under the session's
 * id with an expiry, and taken with GETDEL: a challenge answers one ceremony, even when two requests
 * bring it at once, and a challenge made for one session is not found from another.
 */
@Injectable()
export class WebAuthnChallenges {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores the ceremony, replacing any earlier one of the same session and purpose (only the newest is good). */
  async put(sessionId: string, purpose: CeremonyPurpose, ceremony: PendingCeremony): Promise<void> {
    await this.redis.set(this.key(sessionId, purpose), JSON.stringify(ceremony), 'PX', CHALLENGE_TTL_MS);
  }

  /** The ceremony, removed in the same step; null when none is waiting (expired, used, or another session's). */
  async take(sessionId: string, purpose: CeremonyPurpose): Promise<PendingCeremony | null> {
    const raw = await this.redis.getdel(this.key(sessionId, purpose));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as PendingCeremony;
    } catch {
      return null;
    }
  }

  private key(sessionId: string, purpose: CeremonyPurpose): string {
    // The session id is the cookie's secret: hashed, so a key listing does not hand out live sessions.
    const session = createHash('sha256').update(sessionId).digest('hex').slice(0, 32);
    return `${this.config.redis.prefix}:webauthn:${purpose}:${session}`;
  }
}
