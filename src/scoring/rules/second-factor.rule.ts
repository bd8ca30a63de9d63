import type { Signal } from '../scoring.types.js';
import { type AnswerWeights, answerWeightsAt } from '../scoring.config.js';
import type { RuleInput, RuleResult } from './rule.types.js';
import type { AccountRecord } from '../account-record.js';

/** Any second factor: TOTP or a security key. */
export function hasSecondFactor(account: AccountRecord): boolean {
  return account.totp || account.webauthnKeys > 0;
}

const rightPoints = (w: AnswerWeights, claimedYes: boolean) => (claimedYes ? w.rightYes : w.rightNo);
const wrongPoints = (w: AnswerWeights, claimedYes: boolean) => (claimedYes ? w.wrongYes : w.wrongNo);
/** Why a right answer earns what it does: how often the same answer, given blindly, is right. */
const guessNote = (pYes: number, claimedYes: boolean) =>
  ` (a blind "${claimedYes ? 'yes' : 'no'}" is right for ${Math.round(100 * (claimedYes ? pYes : 1 - pYes))}% of accounts)`;

/** Request types that only make sense for an account with a second factor. */
const NEEDS_SECOND_FACTOR: ReadonlySet<string> = new Set(['lost_2fa', 'lost_recovery_codes']);

/**
 * Claimed 2FA and recovery-code states. Not public, but guessable: each answer earns its log-likelihood
 * ratio at the directory's shares (answer-weights.ts), so a right answer that a blind guess seldom gets
 * earns more, a wrong one (a contradiction) costs what it tells, a blind guess loses on average and an
 * owner, who knows, gains. `unknown` costs nothing.
 */
export function secondFactorRule({ ticket, account, config, shares }: RuleInput): RuleResult {
  const weights = answerWeightsAt(config, shares);
  const w = { twoFactorState: weights.twoFactor, recoveryCodeState: weights.recoveryCodes };
  const signals: Signal[] = [];
  const has2fa = hasSecondFactor(account);
  // Asking to recover a lost second factor (or its recovery codes) claims the account had one.
  const implied = ticket.claims.has2fa === 'unknown' && NEEDS_SECOND_FACTOR.has(ticket.requestType);
  const claim2fa = implied ? 'yes' : ticket.claims.has2fa;
  const said = implied ? `request type "${ticket.requestType}" implies 2FA` : `2FA state "${claim2fa}"`;
  if (claim2fa !== 'unknown') {
    const right = (claim2fa === 'yes') === has2fa;
    signals.push(
      right
        ? {
            rule: 'two_factor_state',
            effect: rightPoints(w.twoFactorState, claim2fa === 'yes'),
            kind: 'private',
            reason: `${said}: matches${guessNote(shares.secondFactor, claim2fa === 'yes')}`,
          }
        : { rule: 'two_factor_state', effect: -wrongPoints(w.twoFactorState, claim2fa === 'yes'), kind: 'contradiction', reason: `${said}: wrong` },
    );
  }
  const hasCodes = account.recoveryCodesUnused > 0;
  const claimCodes = ticket.claims.hasRecoveryCodes;
  if (claimCodes !== 'unknown') {
    const right = (claimCodes === 'yes') === hasCodes;
    signals.push(
      right
        ? {
            rule: 'recovery_code_state',
            effect: rightPoints(w.recoveryCodeState, claimCodes === 'yes'),
            kind: 'private',
            reason: `recovery-code state "${claimCodes}": matches${guessNote(shares.recoveryCodes, claimCodes === 'yes')}`,
          }
        : {
            rule: 'recovery_code_state',
            effect: -wrongPoints(w.recoveryCodeState, claimCodes === 'yes'),
            kind: 'contradiction',
            reason: `recovery-code state "${claimCodes}": wrong`,
          },
    );
  }
  return { signals };
}
