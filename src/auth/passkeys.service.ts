import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { appendAudit } from '../audit/audit-log.service.js';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { isUniqueViolation, Transactions } from '../database/transactions.js';
import type { Moderator } from './moderator.entity.js';
import { Passkey } from './passkey.entity.js';
import {
  type AssertionJson,
  type AttestationJson,
  CEREMONY_TIMEOUT_MS,
  counterAdvances,
  MAX_PASSKEYS_PER_MODERATOR,
  type RelyingParty,
  relyingPartyOf,
} from './passkey-rules.js';
import { WebAuthnChallenges } from './webauthn-challenges.js';

/** ES256, EdDSA, RS256: what security keys, phones and laptops make (ES256 first, as they mostly do). */
const ALGORITHMS = [-7, -8, -257];

export type RegistrationResult = { kind: 'added'; passkey: Passkey } | { kind: 'refused'; reason: string };

/** Why an assertion was refused, for the audit log (the person only hears that it did not work). */
export type AssertionRefusal = 'no_challenge' | 'unknown_credential' | 'signature' | 'counter';

/**
 * Passkeys as a second factor for staff (docs/security.md #15): the WebAuthn ceremonies around
 * @simplewebauthn/server, the passkeys table and its audit entries. The relying party is the host of
 * PUBLIC_BASE_URL and its origin (passkey-rules.ts). Challenges live in WebAuthnChallenges: single use,
 * short-lived, bound to the session. Counting tries belongs to SignInService, which calls verifyAssertion.
 */
@Injectable()
export class PasskeysService {
  readonly relyingParty: RelyingParty;

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly challenges: WebAuthnChallenges,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.relyingParty = relyingPartyOf(config.publicBaseUrl);
  }

  list(moderatorId: string): Promise<Passkey[]> {
    return this.dataSource.getRepository(Passkey).find({ where: { moderatorId }, order: { createdAt: 'ASC' } });
  }

  async has(moderatorId: string): Promise<boolean> {
    return (await this.dataSource.getRepository(Passkey).countBy({ moderatorId })) > 0;
  }

  /**
   * What the page hands navigator.credentials.create(), its challenge kept for this session. Null when
   * the person already holds MAX_PASSKEYS_PER_MODERATOR. `confirmedWith`: the second factor that just
   * re-authenticated the person, for the audit entry of the passkey added.
   */
  async registrationOptions(
    sessionId: string,
    moderator: Moderator,
    name: string,
    confirmedWith: 'totp' | 'passkey' = 'totp',
  ): Promise<PublicKeyCredentialCreationOptionsJSON | null> {
    const existing = await this.list(moderator.id);
    if (existing.length >= MAX_PASSKEYS_PER_MODERATOR) return null;
    const options = await generateRegistrationOptions({
      rpName: this.relyingParty.name,
      rpID: this.relyingParty.id,
      userName: moderator.name,
      userDisplayName: moderator.name,
      userID: new TextEncoder().encode(moderator.id),
      timeout: CEREMONY_TIMEOUT_MS,
      attestationType: 'none',
      // The same authenticator twice would be no spare at all.
      excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      supportedAlgorithmIDs: ALGORITHMS,
    });
    await this.challenges.put(sessionId, 'register', { challenge: options.challenge, moderatorId: moderator.id, name, confirmedWith });
    return options;
  }

  /** Checks the browser's answer against this session's registration challenge (used up either way) and stores the passkey. */
  async register(sessionId: string, moderator: Moderator, credential: AttestationJson, ip: string): Promise<RegistrationResult> {
    const ceremony = await this.challenges.take(sessionId, 'register');
    if (!ceremony || ceremony.moderatorId !== moderator.id || !ceremony.name)
      return { kind: 'refused', reason: 'no passkey registration is waiting in this session (it expired or was used); start again' };
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response: credential,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: this.relyingParty.origin,
        expectedRPID: this.relyingParty.id,
        // Preferred, not required: a security key without a PIN is still a second factor after the password.
        requireUserVerification: false,
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch {
      verified = null;
    }
    if (!verified?.verified) return { kind: 'refused', reason: 'the authenticator’s answer could not be verified' };
    const info = verified.registrationInfo;
    const now = this.clock.now();
    const passkey: Passkey = {
      id: randomUUID(),
      moderatorId: moderator.id,
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: credential.response.transports,
      name: ceremony.name,
      createdAt: now,
      lastUsedAt: null,
    };
    try {
      await this.transactions.run(async (em) => {
        const count = await em.getRepository(Passkey).countBy({ moderatorId: moderator.id });
        if (count >= MAX_PASSKEYS_PER_MODERATOR) throw new TooMany();
        await em.getRepository(Passkey).insert(passkey);
        await appendAudit(em, {
          at: now,
          actor: `moderator:${moderator.name}`,
          action: 'passkey_added',
          ticketId: null,
          data: { ip, passkey: passkey.id, name: passkey.name, user_verified: info.userVerified, confirmed_with: ceremony.confirmedWith ?? 'totp' },
        });
      });
    } catch (error) {
      if (error instanceof TooMany) return { kind: 'refused', reason: `you already have ${MAX_PASSKEYS_PER_MODERATOR} passkeys; remove one first` };
      if (isUniqueViolation(error)) return { kind: 'refused', reason: 'this passkey is added already' };
      throw error;
    }
    return { kind: 'added', passkey };
  }

  /**
   * What a page hands navigator.credentials.get(): this person's passkeys. Null when they have none. For
   * the sign-in step by default; `reauth` for a signed-in person confirming `reauth.action` (an approval,
   * adding a passkey: docs/security.md #15), whose answer verifyAssertion accepts for that action only.
   */
  async authenticationOptions(sessionId: string, moderatorId: string, reauth?: { action: string }): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    const passkeys = await this.list(moderatorId);
    if (passkeys.length === 0) return null;
    const options = await generateAuthenticationOptions({
      rpID: this.relyingParty.id,
      allowCredentials: passkeys.map((p) => ({ id: p.credentialId, transports: p.transports })),
      userVerification: 'preferred',
      timeout: CEREMONY_TIMEOUT_MS,
    });
    if (reauth) await this.challenges.put(sessionId, 'reauth', { challenge: options.challenge, moderatorId, action: reauth.action });
    else await this.challenges.put(sessionId, 'sign-in', { challenge: options.challenge, moderatorId });
    return options;
  }

  /**
   * Checks an assertion against this session's sign-in challenge (or, with `reauth`, its re-authentication
   * challenge for that very action), used up either way, and one of the person's passkeys: the signature,
   * the RP ID and origin, user presence, and a counter that moves on. The counter (counterAdvances) is
   * stored with a conditional UPDATE that repeats the rule, so of two assertions with one counter only one passes.
   */
  async verifyAssertion(
    sessionId: string,
    moderatorId: string,
    credential: AssertionJson,
    reauth?: { action: string },
  ): Promise<{ ok: true } | { ok: false; refusal: AssertionRefusal }> {
    const ceremony = await this.challenges.take(sessionId, reauth ? 'reauth' : 'sign-in');
    if (!ceremony || ceremony.moderatorId !== moderatorId) return { ok: false, refusal: 'no_challenge' };
    if (reauth && ceremony.action !== reauth.action) return { ok: false, refusal: 'no_challenge' };
    const passkey = await this.dataSource.getRepository(Passkey).findOneBy({ moderatorId, credentialId: credential.id });
    if (!passkey) return { ok: false, refusal: 'unknown_credential' };
    let newCounter: number;
    try {
      const verified = await verifyAuthenticationResponse({
        response: credential,
        expectedChallenge: ceremony.challenge,
        expectedOrigin: this.relyingParty.origin,
        expectedRPID: this.relyingParty.id,
        credential: {
          id: passkey.credentialId,
          publicKey: Buffer.from(passkey.publicKey, 'base64url'),
          counter: passkey.counter,
          transports: passkey.transports,
        },
        requireUserVerification: false,
      });
      if (!verified.verified) return { ok: false, refusal: 'signature' };
      newCounter = verified.authenticationInfo.newCounter;
      if (!counterAdvances(passkey.counter, newCounter)) return { ok: false, refusal: 'counter' };
    } catch (error) {
      return { ok: false, refusal: /counter/i.test((error as Error).message) ? 'counter' : 'signature' };
    }
    const updated = await this.transactions.run((em) =>
      em
        .getRepository(Passkey)
        .createQueryBuilder()
        .update()
        .set({ counter: newCounter, lastUsedAt: this.clock.now() })
        .where('id = :id', { id: passkey.id })
        .andWhere('(counter < :counter OR (counter = 0 AND :counter = 0))', { counter: newCounter })
        .execute(),
    );
    return (updated.affected ?? 0) > 0 ? { ok: true } : { ok: false, refusal: 'counter' };
  }

  /** Removes one of the person's own passkeys; false when it is not theirs (or gone already). */
  async remove(moderator: Moderator, passkeyId: string, ip: string): Promise<boolean> {
    return this.transactions.run(async (em) => {
      const passkey = await em.getRepository(Passkey).findOneBy({ id: passkeyId, moderatorId: moderator.id });
      if (!passkey) return false;
      await em.getRepository(Passkey).delete({ id: passkey.id });
      await appendAudit(em, {
        at: this.clock.now(),
        actor: `moderator:${moderator.name}`,
        action: 'passkey_removed',
        ticketId: null,
        data: { ip, passkey: passkey.id, name: passkey.name },
      });
      return true;
    });
  }

  /**
   * Removes every passkey of a person, audited as `actor`: for resetting someone's second factor (an
   * admin, when a device is lost or stolen). Inside the caller's transaction when `em` is given, so the
   * reset and the removal commit together. Returns how many were removed.
   */
  async removeAll(moderatorId: string, actor: string, em?: EntityManager): Promise<number> {
    const work = (manager: EntityManager) => removeAllPasskeys(manager, moderatorId, actor, this.clock.now());
    return em ? work(em) : this.transactions.run(work);
  }
}

/**
 * PasskeysService.removeAll without Nest (for the command line, which has a data source but no Redis to
 * give the service): deletes every passkey of the person inside `em`'s transaction and audits it.
 */
export async function removeAllPasskeys(em: EntityManager, moderatorId: string, actor: string, at: Date): Promise<number> {
  const result = await em.getRepository(Passkey).delete({ moderatorId });
  const removed = result.affected ?? 0;
  if (removed > 0) await appendAudit(em, { at, actor, action: 'passkeys_removed', ticketId: null, data: { moderator_id: moderatorId, removed } });
  return removed;
}

class TooMany extends Error {}
