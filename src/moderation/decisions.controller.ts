import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DECIDING_ROLES } from '../auth/moderator-roles.js';
import { parseAssertion } from '../auth/passkey-rules.js';
import { PasskeysService } from '../auth/passkeys.service.js';
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
import { ApproveDto, ChallengeDto, CocRecordDto, EscalateDto, NoteDto, type ReauthFields, ReopenDto, ReplyDto, SecondApprovalDto } from './dto/decision.dto.js';
import { REFERENCE_PATTERN } from '../common/tokens.js';
import { moderatorActor } from '../tickets/ticket.types.js';
import type { ReauthFactor } from '../tickets/ticket-workflow.js';

type Form = Record<string, unknown> | undefined;

type Done = 'asked' | 'denied' | 'noted' | 'challenge' | 'coc' | 'escalated' | 'approved' | 'approved_once' | 'second_approval' | 'reissued' | 'reopened';

/** Why re-authentication refused: a code used already, a wrong code, or a passkey whose answer did not verify. */
type ReauthRefusal = CodeRefusal | 'passkey';

/** Beside the code field (or the passkey button) when re-authentication refuses: what to do next differs, so the reason is told. */
const REAUTH_REFUSED: Record<ReauthRefusal, string> = {
  used: 'This code was used already (to sign in, or for an earlier decision): each code works once. Wait for the next code in your app and enter that one.',
  wrong: 'This code is not right: enter the code your app shows now. If a fresh code is refused too, check that the clock of your device is right.',
  passkey:
    'The passkey could not be verified (its confirmation expired, was used already or belongs to another page). Confirm with the passkey again, or type a code.',
};
const REAUTH_PROBLEM: Record<ReauthRefusal, string> = {
  used: 'the authenticator code was used already',
  wrong: 'the authenticator code is not right',
  passkey: 'the passkey could not be verified',
};

/**
 * The decision forms of the ticket page (docs/moderation.md, "Decisions"). Plain POSTs (CSRF-checked by the staff hook), each
 * answered with a redirect to the ticket (303) or a page that names the field and the reason (4xx). An approval
 * whose code is refused or whose fields do not pass comes back on the ticket page itself (401, 400) with
 * the choices kept and the reason beside the field, so nothing has to be chosen or written again.
 * Approvals re-authenticate with a fresh TOTP code, or a passkey's answer sent in the same form, right
 * before they take effect (docs/security.md #15), and the session id changes then (docs/security.md #18). Ops cannot decide: they only read.
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
    private readonly passkeys: PasskeysService,
    private readonly ticketPage: TicketPageService,
  ) {}

  /**
   * A passkey instead of the code, step one (views/static/passkeys.js): the challenge for
   * navigator.credentials.get(), kept in Redis for this session only, for 5 minutes, for one answer, and
   * only for approving this ticket (docs/security.md #15). The answer comes with the approval form itself.
   */
  @Post(':reference/passkey-options')
  @Roles(...DECIDING_ROLES)
  async passkeyOptions(@Param('reference') reference: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    if (!REFERENCE_PATTERN.test(reference)) return reply.status(404).send({ error: 'There is no ticket with that reference.' });
    const options = await this.passkeys.authenticationOptions(request.session.sessionId, signedIn(request).id, { action: approvalAction(reference) });
    if (!options) return reply.status(409).send({ error: 'You have no passkey: type the code from your authenticator app.', field: 'code' });
    return reply.status(200).send(options);
  }

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
        const factor = await this.reauthenticate(request, reference, dto);
        const { needsSecond } = await this.decisions.approve(reference, signedIn(request), dto, factor);
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
        const factor = await this.reauthenticate(request, reference, dto);
        await this.decisions.secondApproval(reference, signedIn(request), factor);
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
   * A fresh code from the moderator's authenticator (never one used before: the step is stored), or a
   * passkey's answer to this session's challenge for approving this ticket; then a new session id. Either
   * is a try taken from the sign-in allowances before the check (SignInService), so wrong codes and
   * refused passkeys lock the name together. Never a recovery code: a used-up factor does not approve
   * (docs/security.md #15). Answers which factor it was, for the audit entry.
   */
  private async reauthenticate(request: FastifyRequest, reference: string, dto: ReauthFields): Promise<ReauthFactor> {
    const staff = signedIn(request);
    let factor: ReauthFactor;
    if (dto.passkey_assertion !== undefined) {
      const credential = parseAssertion(jsonOrNull(dto.passkey_assertion));
      if ('problem' in credential) throw DomainError.validation([{ field: 'passkey_assertion', reasons: [`passkey_assertion: ${credential.problem}`] }]);
      const sessionId = request.session.sessionId;
      const action = { action: approvalAction(reference) };
      const outcome = await this.signIn.checkPasskey(
        staff.id,
        request.ip,
        async () => (await this.passkeys.verifyAssertion(sessionId, staff.id, credential.ok, action)).ok,
      );
      if (outcome.kind === 'locked') throw DomainError.rateLimited(outcome.retryAfterSeconds);
      if (outcome.kind !== 'ok') throw new ReauthenticationFailed('passkey');
      factor = 'passkey';
    } else {
      const outcome = await this.signIn.checkTotp(staff.id, dto.code, request.ip);
      if (outcome.kind === 'locked') throw DomainError.rateLimited(outcome.retryAfterSeconds);
      if (outcome.kind !== 'ok') throw new ReauthenticationFailed(outcome.refusal ?? 'wrong');
      factor = 'totp';
    }
    await request.session.regenerate();
    request.session.staff = staff;
    return factor;
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
          errors: { [error.refusal === 'passkey' ? 'passkey_assertion' : 'code']: REAUTH_REFUSED[error.refusal] },
          problem: `${title}: ${REAUTH_PROBLEM[error.refusal]}. Nothing was approved; what you chose is kept below.`,
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
  constructor(readonly refusal: ReauthRefusal) {
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

/** What a passkey confirms on the ticket page: approving (or second-approving) this ticket, nothing else. */
const approvalAction = (reference: string): string => `approve:${reference.toUpperCase()}`;

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
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
