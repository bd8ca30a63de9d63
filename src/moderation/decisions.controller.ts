import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DECIDING_ROLES } from '../auth/moderator-roles.js';
import { Roles } from '../auth/roles.guard.js';
import { SignInService } from '../auth/sign-in.service.js';
import { type StaffIdentity, staffOf } from '../auth/staff-session.js';
import type { CodeRefusal } from '../auth/totp.js';
import { DomainError, DomainErrorCode, type FieldError, HTTP_STATUS_OF } from '../common/domain.exception.js';
import { flattenValidationErrors } from '../common/validation.js';
import { ResetsService } from '../resets/resets.service.js';
import { ReviewService } from '../review-queue/review.service.js';
import { DecisionsService } from './decisions.service.js';
import { type KeptForm, type KeptFormName, TicketPageService } from './ticket-page.service.js';
import { ApproveDto, ChallengeDto, CocRecordDto, EscalateDto, NoteDto, ReopenDto, ReplyDto, SecondApprovalDto } from './dto/decision.dto.js';
import { REFERENCE_PATTERN } from '../common/tokens.js';
import { moderatorActor } from '../tickets/ticket.types.js';

type Form = Record<string, unknown> | undefined;

type Done = 'asked' | 'denied' | 'noted' | 'challenge' | 'coc' | 'escalated' | 'approved' | 'approved_once' | 'second_approval' | 'reissued' | 'reopened';

/** Beside the code field when re-authentication refuses a code: what to do next differs, so the reason is told. */
const CODE_REFUSED: Record<CodeRefusal, string> = {
  used: 'This code was used already (to sign in, or for an earlier decision): each code works once. Wait for the next code in your app and enter that one.',
  wrong: 'This code is not right: enter the code your app shows now. If a fresh code is refused too, check that the clock of your device is right.',
};

/**
 * The decision forms of the ticket page (docs/moderation.md, "Decisions"). Plain POSTs (CSRF-checked by the staff hook), each
 * answered with a redirect to the ticket (303) or a page that names the field and the reason (4xx). An approval
 * whose code is refused or whose fields do not pass comes back on the ticket page itself (401, 400) with
 * the choices kept and the reason beside the field, so nothing has to be chosen or written again.
 * Approvals re-authenticate with a fresh second-factor code right before they take effect
 * (docs/security.md #15), and the session id changes then (docs/security.md #18). Ops cannot decide: they only read.
 * `@Roles` sits on each handler, not on the class, so the role guard runs once per request.
 */
@ApiExcludeController()
@Controller('dashboard/tickets')
export class DecisionsController {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly review: ReviewService,
    private readonly resets: ResetsService,
    private readonly signIn: SignInService,
    private readonly ticketPage: TicketPageService,
  ) {}

  @Post(':reference/ask-info')
  @Roles(...DECIDING_ROLES)
  askInfo(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Question not sent', async () => {
      await this.decisions.askForInformation(reference, signedIn(request), await valid(ReplyDto, body));
      return 'asked';
    });
  }

  @Post(':reference/deny')
  @Roles(...DECIDING_ROLES)
  deny(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Not denied', async () => {
      await this.decisions.deny(reference, signedIn(request), await valid(ReplyDto, body));
      return 'denied';
    });
  }

  @Post(':reference/notes')
  @Roles(...DECIDING_ROLES)
  note(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Note not saved', async () => {
      await this.decisions.note(reference, signedIn(request), (await valid(NoteDto, body)).note);
      return 'noted';
    });
  }

  @Post(':reference/challenges')
  @Roles(...DECIDING_ROLES)
  challenge(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Challenge not sent', async () => {
      await this.decisions.challenge(reference, signedIn(request), await valid(ChallengeDto, body));
      return 'challenge';
    });
  }

  @Post(':reference/code-of-conduct')
  @Roles(...DECIDING_ROLES)
  codeOfConduct(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Code of Conduct not recorded', async () => {
      await this.decisions.recordCodeOfConduct(reference, signedIn(request), await valid(CocRecordDto, body));
      return 'coc';
    });
  }

  @Post(':reference/escalate')
  @Roles(...DECIDING_ROLES)
  escalate(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Not escalated', async () => {
      await this.review.escalate(reference, signedIn(request).name, (await valid(EscalateDto, body)).reason);
      return 'escalated';
    });
  }

  /** A denied ticket, or one closed without an answer, back to the queue (ReviewService.reopen's rules). */
  @Post(':reference/reopen')
  @Roles(...DECIDING_ROLES)
  reopen(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'Not reopened', async () => {
      await this.review.reopen(reference, signedIn(request).name, (await valid(ReopenDto, body)).reason);
      return 'reopened';
    });
  }

  @Post(':reference/approve')
  @Roles(...DECIDING_ROLES)
  approve(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(
      reference,
      reply,
      'Not approved',
      async () => {
        const dto = await valid(ApproveDto, body);
        await this.reauthenticate(request, dto.code);
        const { needsSecond } = await this.decisions.approve(reference, signedIn(request), dto);
        return needsSecond ? 'approved_once' : 'approved';
      },
      { request, form: 'approve', values: sent(body, ['reset_address', 'override_reason']) },
    );
  }

  @Post(':reference/second-approval')
  @Roles('senior')
  secondApproval(@Param('reference') reference: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(
      reference,
      reply,
      'Not approved',
      async () => {
        const dto = await valid(SecondApprovalDto, body);
        await this.reauthenticate(request, dto.code);
        await this.decisions.secondApproval(reference, signedIn(request));
        return 'second_approval';
      },
      { request, form: 'second-approval', values: {} },
    );
  }

  @Post(':reference/reissue-link')
  @Roles('senior', 'admin')
  reissue(@Param('reference') reference: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.act(reference, reply, 'No new link', async () => {
      await this.resets.reissue(reference, moderatorActor(signedIn(request).name));
      return 'reissued';
    });
  }

  /**
   * A fresh code from the moderator's authenticator (never one used before: the step is stored), then a
   * new session id. Wrong codes count towards the sign-in lockout like any other.
   */
  private async reauthenticate(request: FastifyRequest, code: string): Promise<void> {
    const staff = signedIn(request);
    const outcome = await this.signIn.checkTotp(staff.id, code, request.ip);
    if (outcome.kind === 'locked') throw DomainError.rateLimited(outcome.retryAfterSeconds);
    if (outcome.kind !== 'ok') throw new ReauthenticationFailed(outcome.refusal ?? 'wrong');
    await request.session.regenerate();
    request.session.staff = staff;
  }

  /** `keep`: the form comes back on the ticket page, as sent, when its code is refused or a field does not pass. */
  private async act(reference: string, reply: FastifyReply, title: string, work: () => Promise<Done>, keep?: Keep) {
    reply.header('Cache-Control', 'no-store');
    const back = `/dashboard/tickets/${encodeURIComponent(reference)}`;
    if (!REFERENCE_PATTERN.test(reference)) return this.problem(reply, 404, 'No such ticket', 'There is no ticket with that reference.', back);
    try {
      const done = await work();
      return reply.redirect(`/dashboard/tickets/${reference.toUpperCase()}?done=${done}`, 303);
    } catch (error) {
      if (error instanceof ReauthenticationFailed && keep) {
        return this.sendBack(reference, reply, 401, keep, {
          errors: { code: CODE_REFUSED[error.refusal] },
          problem: `${title}: the authenticator code ${error.refusal === 'used' ? 'was used already' : 'is not right'}. Nothing was approved; what you chose is kept below.`,
        });
      }
      if (error instanceof ReauthenticationFailed) {
        return this.problem(reply, 401, title, 'code: the code from your authenticator app is not right (or was used already). Nothing was approved.', back);
      }
      if (!(error instanceof DomainError)) throw error;
      if (error.code === DomainErrorCode.ValidationFailed && error.details.errors?.length && keep) {
        const errors = Object.fromEntries(error.details.errors.map((e) => [e.field, e.reasons.join('; ')]));
        return this.sendBack(reference, reply, 400, keep, { errors, problem: `${title}: ${describeFieldErrors(error.details.errors)}.` });
      }
      if (error.code === DomainErrorCode.NotFound) return this.problem(reply, 404, 'No such ticket', 'There is no ticket with that reference.', back);
      if (error.code === DomainErrorCode.RateLimited && error.details.retryAfterSeconds) reply.header('Retry-After', String(error.details.retryAfterSeconds));
      const message = error.details.errors?.length ? describeFieldErrors(error.details.errors) : error.message;
      return this.problem(reply, HTTP_STATUS_OF[error.code], title, message, back);
    }
  }

  /** The ticket page again, with the form as it was sent and the reasons beside its fields. */
  private async sendBack(reference: string, reply: FastifyReply, status: 400 | 401, keep: Keep, why: Pick<KeptForm, 'errors' | 'problem'>) {
    const kept: KeptForm = { form: keep.form, values: keep.values, ...why };
    const model = await this.ticketPage.model(reference, signedIn(keep.request), { csrfToken: reply.generateCsrf(), kept });
    if (!model)
      return this.problem(reply, 404, 'No such ticket', 'There is no ticket with that reference.', `/dashboard/tickets/${encodeURIComponent(reference)}`);
    return reply.status(status).view('pages/ticket', model);
  }

  private problem(reply: FastifyReply, status: number, title: string, message: string, back: string) {
    return reply.status(status).view('pages/error', { title, message, status, back, backLabel: 'Back to the ticket' });
  }
}

class ReauthenticationFailed extends Error {
  constructor(readonly refusal: CodeRefusal) {
    super('re-authentication refused');
  }
}

/** A form that comes back to the ticket page when it does not go through. */
interface Keep {
  request: FastifyRequest;
  form: KeptFormName;
  values: Record<string, string>;
}

/** The named text fields of a form as sent (at most a field's own length, for the page to show again); never the code. */
function sent(body: Form, fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of fields) {
    const value = typeof body === 'object' && body !== null ? body[field] : undefined;
    if (typeof value === 'string') values[field] = value.slice(0, 2000);
  }
  return values;
}

/** The moderator the role guard admitted. */
const signedIn = (request: FastifyRequest): StaffIdentity => staffOf(request)!;

/** The form as a DTO, or a 400 naming each bad field and why. */
async function valid<T extends object>(dto: new () => T, body: Form): Promise<T> {
  const instance = plainToInstance(dto, typeof body === 'object' && body !== null ? body : {});
  const errors = flattenValidationErrors(await validate(instance));
  if (errors.length) throw DomainError.validation(errors);
  return instance;
}

function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => e.reasons.join('; ')).join('. ');
}
