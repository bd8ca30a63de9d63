import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MODERATOR_ROLES } from './moderator-roles.js';
import { RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { Roles } from './roles.guard.js';
import { FRESH_RECOVERY_CODES_PATH } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { staffOf } from './staff-session.js';

type Form = Record<string, unknown> | undefined;

const CODE_REFUSED = {
  used: 'This code was used already: each code works once. Wait for the next code in your app and enter that one.',
  wrong: 'This code is not right: enter the code your authenticator app shows now.',
};

/**
 * A moderator's own account page (docs/moderation.md, "Your account"): the second factor and the
 * recovery codes left, and new recovery codes after re-authenticating with a fresh authenticator code
 * (docs/security.md #32). New codes are shown once: they wait sealed in the session until the page that
 * shows them is opened, then are gone.
 */
@ApiExcludeController()
@Controller('dashboard/account')
@Roles(...MODERATOR_ROLES)
export class AccountController {
  constructor(
    private readonly signIn: SignInService,
    private readonly recoveryCodes: RecoveryCodesService,
  ) {}

  @Get()
  show(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.page(request, reply, 200);
  }

  /** Re-authenticates as an approval does (a fresh code, counted against the sign-in try limit, then a new session id). */
  @Post('recovery-codes')
  async renew(@Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const staff = staffOf(request)!;
    const outcome = await this.signIn.checkTotp(staff.id, body?.code, request.ip);
    if (outcome.kind === 'locked') {
      reply.header('Retry-After', String(outcome.retryAfterSeconds));
      return this.page(request, reply, 429, `Too many failed codes: please wait about ${Math.ceil(outcome.retryAfterSeconds / 60)} minutes and try again.`);
    }
    if (outcome.kind !== 'ok') return this.page(request, reply, 401, CODE_REFUSED[outcome.refusal ?? 'wrong']);
    const codes = await this.signIn.renewRecoveryCodes(staff.id, request.ip);
    await request.session.regenerate();
    request.session.staff = staff;
    request.session.freshRecoveryCodes = this.signIn.sealRecoveryCodes(codes);
    return reply.header('Cache-Control', 'no-store').redirect(FRESH_RECOVERY_CODES_PATH, 303);
  }

  /** The codes just made, once; a reload (or a later visit) finds them gone. */
  @Get('recovery-codes')
  fresh(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const sealed = request.session.freshRecoveryCodes;
    request.session.freshRecoveryCodes = undefined;
    return reply
      .header('Cache-Control', 'no-store')
      .view('pages/recovery-codes', { title: 'Your recovery codes', staff: staffOf(request), codes: sealed ? this.signIn.openRecoveryCodes(sealed) : null });
  }

  private async page(request: FastifyRequest, reply: FastifyReply, status: number, codeError?: string) {
    const staff = staffOf(request)!;
    const moderator = await this.signIn.findModerator(staff.id);
    return reply
      .status(status)
      .header('Cache-Control', 'no-store')
      .view('pages/account', {
        title: 'Your account',
        staff,
        csrfToken: reply.generateCsrf(),
        totpEnrolledAt: moderator?.totpEnrolledAt,
        lastSignedInAt: moderator?.lastSignedInAt,
        unusedCodes: await this.recoveryCodes.unusedCount(staff.id),
        codeCount: RECOVERY_CODE_COUNT,
        codeError,
      });
  }
}
