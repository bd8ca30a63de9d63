import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';

/**
 * `valid`: signed by a key of the issuer's JWKS, from the configured issuer, within its times, with one
 * audience (the service compares it with the nonce). `invalid`: the token proves nothing, for the reason
 * given (it never depends on the account, so the requester may read it). `unavailable`: the issuer's
 * keys could not be fetched now.
 */
export type TokenCheck =
  { outcome: 'valid'; audience: string; claims: JWTPayload } | { outcome: 'invalid'; reason: string } | { outcome: 'unavailable'; reason: string };

export const OIDC_TOKEN_VERIFIER = Symbol('OIDC_TOKEN_VERIFIER');

/** Clock skew allowed on `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_S = 60;
/** GitHub's tokens live minutes; one older than this is refused even if its `exp` says otherwise. */
const MAX_TOKEN_AGE = '1h';
const JWKS_TIMEOUT_MS = 5_000;

/**
 * Verifies a GitHub Actions OIDC token with `jose`: the signature against the issuer's JWKS (fetched and
 * cached by `createRemoteJWKSet`; a key it does not know makes it fetch again, at most every 30 s), RS256
 * only (what GitHub signs with; never `none` or an HMAC), the issuer, `exp`, `nbf` and `iat` at the
 * desk's clock. The issuer and the JWKS address come from the configuration (a stand-in issuer in tests).
 */
export class OidcTokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(
    private readonly issuer: string,
    jwksUrl: string,
  ) {
    this.keys = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS });
  }

  async verify(token: string, now: Date): Promise<TokenCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.issuer,
        algorithms: ['RS256'],
        currentDate: now,
        clockTolerance: CLOCK_TOLERANCE_S,
        maxTokenAge: MAX_TOKEN_AGE,
        requiredClaims: ['aud', 'exp', 'iat'],
      }));
    } catch (error) {
      return describeFailure(error);
    }
    const audience = Array.isArray(payload.aud) ? (payload.aud.length === 1 ? payload.aud[0] : null) : (payload.aud ?? null);
    if (typeof audience !== 'string') return { outcome: 'invalid', reason: 'the token must have exactly one audience: the nonce of this check' };
    return { outcome: 'valid', audience, claims: payload };
  }
}

function describeFailure(error: unknown): TokenCheck {
  if (error instanceof errors.JWTExpired) {
    return { outcome: 'invalid', reason: 'the token has expired: run the workflow again and paste the new token at once' };
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return { outcome: 'invalid', reason: 'the token was not issued by GitHub Actions' };
      case 'nbf':
        return { outcome: 'invalid', reason: 'the token is not valid yet' };
      case 'iat':
        return { outcome: 'invalid', reason: 'the token says it was issued in the future' };
      default:
        return { outcome: 'invalid', reason: `the token lacks a valid "${error.claim}" claim` };
    }
  }
  if (error instanceof errors.JWKSTimeout) return { outcome: 'unavailable', reason: 'the issuer did not send its keys in time' };
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSEAlgNotAllowed
  ) {
    return { outcome: 'invalid', reason: "the token's signature is not one of the issuer's keys" };
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
    return { outcome: 'invalid', reason: 'this is not a signed token: paste the whole line the workflow printed' };
  }
  // Anything else is the issuer's keys not coming (no answer, not 200, not a key set): try again later.
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: 'unavailable', reason: `the issuer's keys could not be fetched: ${message.slice(0, 200)}` };
}
