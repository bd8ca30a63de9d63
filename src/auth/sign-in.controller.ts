import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { Moderator } from './moderator.entity.js';
import { describeDuration } from '../config/duration.js';
import { parseAssertion } from './passkey-rules.js';
import { PasskeysService } from './passkeys.service.js';
import { MIN_PASSWORD_LENGTH } from './passwords.js';
import { SESSION_END_NOTICES } from './roles.guard.js';
import { nextSignInStep, STEP_PATHS, type SignInStep } from './sign-in-steps.js';
import { LOCK_MS, SignInService, type StepOutcome } from './sign-in.service.js';
import { PENDING_SIGN_IN_MS, type PendingSignIn, staffCookie } from './staff-session.js';
import { groupSecret, newTotpSecret, qrCodeDataUrl, totpUri } from './totp.js';

type Form = Record<string, unknown> | undefined;

/** One message for an unknown name, a wrong password and a disabled account: none tells which. */
const WRONG_PASSWORD = 'That name and password do not match an active account.';
const WRONG_CODE = 'That code is not right. Check the time on your device and use the newest code.';
const WRONG_PASSKEY = 'That passkey could not be verified. Try it again, or type a code.';
const WRONG_RECOVERY_CODE = 'That recovery code is not right, or it was used already: each one works once.';
/** Where new recovery codes are shown, once (AccountController). */
export const FRESH_RECOVERY_CODES_PATH = '/dashboard/account/recovery-codes';
const NOTICES: Record<string, string> = {
  signed_out: 'You are signed out.',
  expired: 'That sign-in took too long: please start again.',
};

/** The login page's notices, those naming the session limits included (the role guard links to them). */
function notices(config: AppConfig): Record<string, string> {
  return {
    ...NOTICES,
    [SESSION_END_NOTICES.idle]: `Your session ended after ${describeDuration(config.session.idleMs)} without activity; please sign in again.`,
    [SESSION_END_NOTICES.lifetime]: `Your session ended after ${describeDuration(config.session.ttlMs)}; please sign in again.`,
    [SESSION_END_NOTICES.revoked]: 'An admin ended your sessions; please sign in again.',
  };
}

/**
 * Moderator sign-in (docs/moderation.md, "Signing in"): name and password, a forced password change at first sign-in, TOTP
 * enrolment or a TOTP code (or a passkey instead of the code), then a fresh session. Plain forms; only the
 * passkey takes a script (views/static/passkeys.js), which posts JSON to the two /login/passkey routes.
 */
@ApiExcludeController()
@Controller()
export class SignInController {
  private readonly notices: Record<string, string>;

  constructor(
    private readonly signIn: SignInService,
    private readonly passkeys: PasskeysService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.notices = notices(config);
  }

  @Get('login')
  showLogin(@Query('notice') notice: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    if (request.session.staff) return reply.redirect('/dashboard', 303);
    const known = notice !== undefined && Object.hasOwn(this.notices, notice);
    return this.page(reply, 200, 'pages/login', {
      title: 'Sign in',
      notice: known ? this.notices[notice] : undefined,
      noticeWarning: notice !== 'signed_out',
    });
  }

  @Post('login')
  async login(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const name = typeof body?.name === 'string' ? body.name.trim().slice(0, 100) : '';
    const outcome = await this.signIn.checkPassword(body?.name, body?.password, request.ip);
    if (outcome.kind !== 'ok') return this.refused(reply, outcome, 'pages/login', { title: 'Sign in', name }, WRONG_PASSWORD);
    // A new attempt replaces any half-finished one; the session id is regenerated once both factors pass.
    request.session.pending = {
      moderatorId: outcome.moderator.id,
      startedAt: this.clock.now().getTime(),
      totpPassed: false,
      generation: outcome.moderator.sessionGeneration,
    };
    return this.continue(request, reply, outcome.moderator);
  }

  @Get('login/password')
  async showPassword(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'password');
    if (!state) return reply;
    return this.passwordPage(reply, 200, state.moderator);
  }

  @Post('login/password')
  async changePassword(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'password');
    if (!state) return reply;
    const problem = await this.signIn.changePassword(state.moderator.id, body?.new_password, body?.confirm_password, request.ip);
    if (problem) return this.passwordPage(reply, 400, state.moderator, problem);
    return this.continue(request, reply, { ...state.moderator, mustChangePassword: false });
  }

  @Get('login/enrol')
  async showEnrol(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'enrol');
    if (!state) return reply;
    return this.enrolPage(request, reply, 200, state.moderator, state.pending);
  }

  @Post('login/enrol')
  async enrol(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'enrol');
    if (!state) return reply;
    const sealed = state.pending.enrolSecret;
    if (!sealed) return reply.redirect(STEP_PATHS.enrol, 303);
    const codes = await this.signIn.enrol(state.moderator.id, this.signIn.openTotpSecret(sealed), body?.code, request.ip);
    if (!codes) return this.enrolPage(request, reply, 400, state.moderator, state.pending, WRONG_CODE);
    const moderator = await this.signIn.findModerator(state.moderator.id);
    // Just proven with the code that confirmed the enrolment.
    request.session.pending = { ...state.pending, enrolSecret: undefined, totpPassed: true, factor: 'enrolment' };
    return this.continue(request, reply, moderator!, codes);
  }

  @Get('login/totp')
  async showTotp(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'totp');
    if (!state) return reply;
    return this.totpPage(reply, 200, state.moderator);
  }

  /** The code step with a recovery code instead (docs/security.md #32), linked from the TOTP page: the same step and try limit. */
  @Get('login/recovery-code')
  async showRecoveryCode(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'totp');
    if (!state) return reply;
    return this.page(reply, 200, 'pages/login-recovery-code', { title: 'Use a recovery code', name: state.moderator.name });
  }

  @Post('login/recovery-code')
  async recoveryCode(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'totp');
    if (!state) return reply;
    const outcome = await this.signIn.checkRecoveryCode(state.moderator.id, body?.recovery_code, request.ip);
    if (outcome.kind === 'locked') request.session.pending = undefined;
    const context = { title: 'Use a recovery code', name: state.moderator.name };
    if (outcome.kind !== 'ok') return this.refused(reply, outcome, 'pages/login-recovery-code', context, WRONG_RECOVERY_CODE);
    request.session.pending = { ...state.pending, totpPassed: true, factor: 'recovery_code' };
    return this.continue(request, reply, outcome.moderator);
  }

  @Post('login/totp')
  async totp(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'totp');
    if (!state) return reply;
    const outcome = await this.signIn.checkTotp(state.moderator.id, body?.code, request.ip);
    if (outcome.kind === 'locked') request.session.pending = undefined; // locked: start again from the password
    if (outcome.kind !== 'ok') {
      const passkeys = await this.passkeys.has(state.moderator.id);
      return this.refused(reply, outcome, 'pages/login-totp', { title: 'Enter your code', name: state.moderator.name, passkeys }, WRONG_CODE);
    }
    request.session.pending = { ...state.pending, totpPassed: true, factor: 'totp' };
    return this.continue(request, reply, outcome.moderator);
  }

  /** A passkey instead of the code, step one: the challenge for navigator.credentials.get(), kept for this session. */
  @Post('login/passkey/options')
  async passkeyOptions(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'totp', { json: true });
    if (!state) return reply;
    const options = await this.passkeys.authenticationOptions(request.session.sessionId, state.moderator.id);
    if (!options) return reply.status(409).send({ error: 'You have no passkey yet: type the code from your authenticator app.' });
    return reply.status(200).send(options);
  }

  /** Step two: the assertion, checked against that challenge, counted as a try like a code (docs/security.md #15). */
  @Post('login/passkey')
  async passkey(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const state = await this.at(request, reply, 'totp', { json: true });
    if (!state) return reply;
    const credential = parseAssertion(body?.credential);
    if ('problem' in credential) return reply.status(400).send({ error: credential.problem });
    const sessionId = request.session.sessionId;
    const outcome = await this.signIn.checkPasskey(
      state.moderator.id,
      request.ip,
      async () => (await this.passkeys.verifyAssertion(sessionId, state.moderator.id, credential.ok)).ok,
    );
    if (outcome.kind === 'locked') {
      request.session.pending = undefined; // locked: start again from the password
      const minutes = Math.ceil(outcome.retryAfterSeconds / 60);
      reply.header('Retry-After', String(outcome.retryAfterSeconds));
      return reply.status(429).send({ error: `Too many failed sign-ins. Please wait about ${minutes} minutes and try again.`, redirect: '/login' });
    }
    if (outcome.kind !== 'ok') return reply.status(401).send({ error: WRONG_PASSKEY });
    request.session.pending = { ...state.pending, totpPassed: true, factor: 'passkey' };
    return reply.status(200).send({ redirect: await this.advance(request, outcome.moderator) });
  }

  @Post('logout')
  async logout(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const staff = request.session.staff;
    if (staff) await this.signIn.signedOut(staff.name, request.ip);
    await request.session.destroy();
    // The session is gone from Redis; the browser forgets the cookie too.
    const cookie = staffCookie(this.config);
    // Same attributes as when set: a browser ignores a __Host- cookie (even a deleting one) without Secure.
    reply.clearCookie(cookie.name, { path: '/', secure: cookie.secure, httpOnly: true, sameSite: 'lax' });
    return reply.header('Cache-Control', 'no-store').redirect('/login?notice=signed_out', 303);
  }

  /** Sends the moderator to the next step, or signs them in when none is left. `freshCodes`: recovery codes just made, shown once next. */
  private async continue(request: FastifyRequest, reply: FastifyReply, moderator: Moderator, freshCodes?: string[]) {
    return reply.redirect(await this.advance(request, moderator, freshCodes), 303);
  }

  /** The next step's path; when none is left, signs the moderator in and answers the dashboard (or the fresh recovery codes). */
  private async advance(request: FastifyRequest, moderator: Moderator, freshCodes?: string[]): Promise<string> {
    const pending = request.session.pending!;
    const step = nextSignInStep(moderator, pending);
    if (step !== 'done') return STEP_PATHS[step];
    // Both factors passed: a new session id (no fixation), holding only who is signed in.
    await request.session.regenerate();
    request.session.staff = {
      id: moderator.id,
      name: moderator.name,
      role: moderator.role,
      signedInAt: this.clock.now().getTime(),
      // As at the password step: sessions ended since then end this one at its first request (docs/security.md #18).
      generation: pending.generation ?? 0,
    };
    await this.signIn.signedIn(moderator, request.ip, pending.factor ?? 'totp');
    if (!freshCodes) return '/dashboard';
    request.session.freshRecoveryCodes = this.signIn.sealRecoveryCodes(freshCodes);
    return FRESH_RECOVERY_CODES_PATH;
  }

  /**
   * The half-signed-in state for a step page, or null after answering: no sign-in under way (or too
   * old, or the account was disabled, locked or had its sessions ended meanwhile) → /login; another step is due → that step.
   */
  private async at(
    request: FastifyRequest,
    reply: FastifyReply,
    step: SignInStep,
    { json = false }: { json?: boolean } = {},
  ): Promise<{ pending: PendingSignIn; moderator: Moderator } | null> {
    reply.header('Cache-Control', 'no-store');
    // A script's request (the passkey routes) is told where to go rather than redirected: fetch would follow it.
    const sendTo = (url: string) =>
      json ? void reply.status(409).send({ error: 'This sign-in step is not due now.', redirect: url }) : void reply.redirect(url, 303);
    const pending = request.session.pending;
    if (!pending) {
      sendTo(request.session.staff ? '/dashboard' : '/login');
      return null;
    }
    const now = this.clock.now().getTime();
    const moderator = await this.signIn.findModerator(pending.moderatorId);
    const expired = now - pending.startedAt > PENDING_SIGN_IN_MS;
    const revoked = moderator && moderator.sessionGeneration !== (pending.generation ?? 0);
    if (expired || !moderator || moderator.disabledAt || revoked || (moderator.lockedUntil && moderator.lockedUntil.getTime() > now)) {
      request.session.pending = undefined;
      sendTo(expired ? '/login?notice=expired' : '/login');
      return null;
    }
    const due = nextSignInStep(moderator, pending);
    if (due !== step) {
      sendTo(due === 'done' ? '/login' : STEP_PATHS[due]);
      return null;
    }
    return { pending, moderator };
  }

  private refused(reply: FastifyReply, outcome: Exclude<StepOutcome, { kind: 'ok' }>, view: string, context: Record<string, unknown>, wrong: string) {
    if (outcome.kind === 'wrong') return this.page(reply, 401, view, { ...context, error: wrong });
    const minutes = Math.ceil(outcome.retryAfterSeconds / 60);
    const error = outcome.byClient
      ? `Too many failed sign-ins from your network. Please wait about ${minutes} minutes and try again.`
      : `Too many failed sign-ins for this name: it is locked for ${LOCK_MS / 60_000} minutes. Please wait about ${minutes} minutes and try again, or ask an admin.`;
    reply.header('Retry-After', String(outcome.retryAfterSeconds));
    return this.page(reply, 429, 'pages/login', { title: 'Sign in', name: context.name, error });
  }

  private async totpPage(reply: FastifyReply, status: number, moderator: Moderator) {
    const passkeys = await this.passkeys.has(moderator.id);
    return this.page(reply, status, 'pages/login-totp', { title: 'Enter your code', name: moderator.name, passkeys });
  }

  private passwordPage(reply: FastifyReply, status: number, moderator: Moderator, error?: string) {
    return this.page(reply, status, 'pages/login-password', { title: 'Choose a new password', name: moderator.name, minLength: MIN_PASSWORD_LENGTH, error });
  }

  private async enrolPage(request: FastifyRequest, reply: FastifyReply, status: number, moderator: Moderator, pending: PendingSignIn, error?: string) {
    let sealed = pending.enrolSecret;
    if (!sealed) {
      // Sealed in the session too: Redis never holds the secret in the clear.
      sealed = this.signIn.sealTotpSecret(newTotpSecret());
      request.session.pending = { ...pending, enrolSecret: sealed };
    }
    const secret = this.signIn.openTotpSecret(sealed);
    return this.page(reply, status, 'pages/login-enrol', {
      title: 'Set up your authenticator app',
      name: moderator.name,
      error,
      qrCode: await qrCodeDataUrl(totpUri(moderator.name, secret)),
      secretGroups: groupSecret(secret),
    });
  }

  private page(reply: FastifyReply, status: number, view: string, context: Record<string, unknown>) {
    return reply
      .status(status)
      .header('Cache-Control', 'no-store')
      .view(view, { ...context, csrfToken: reply.generateCsrf() });
  }
}
