import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decides, DECIDING_ROLES, MODERATOR_ROLES } from '../auth/moderator-roles.js';
import { Roles } from '../auth/roles.guard.js';
import type { StaffIdentity } from '../auth/staff-session.js';
import { DomainError, DomainErrorCode } from '../common/domain.exception.js';
import { ReviewService } from '../review-queue/review.service.js';
import { WorkNextService } from '../review-queue/work-next.service.js';
import { OPEN_STATES } from '../tickets/ticket-state.js';
import { parseFilters, queueQuery, SLA_LEVELS, SORTS } from './queue-format.js';
import { QueueViewService } from './queue-view.service.js';
import { TicketPageService } from './ticket-page.service.js';
import { REQUEST_TYPES } from '../tickets/ticket.types.js';
import { REFERENCE_PATTERN } from '../common/tokens.js';

/** What the ticket page says after a decision form redirected back to it. */
const DONE_NOTICES: Record<string, string> = {
  asked: 'Question sent: the ticket waits on the requester and its SLA clock is paused.',
  denied: 'Denied: the requester was told why.',
  noted: 'Note added.',
  challenge: 'Challenge sent.',
  coc: 'Code of Conduct acceptance recorded.',
  escalated: 'Escalated: it waits at the top of the queue for a senior moderator.',
  approved: 'Approved: the cooling-off has started and every address on file was told.',
  approved_once: 'Approved once: a second senior moderator must approve it too.',
  second_approval: 'Second approval given: the cooling-off has started and every address on file was told.',
  reissued: 'A new reset link was sent; the older one no longer works.',
  reopened: 'Reopened: the ticket is back in the queue with a new decision cycle.',
};

const option = (value: string, selected: string | undefined) => ({ value, label: value.replace(/_/g, ' '), selected: value === selected });

/** The queue page, "Work next" and the ticket page. Plain forms: no client-side script. */
@ApiExcludeController()
@Controller('dashboard')
@Roles(...MODERATOR_ROLES)
export class QueueController {
  constructor(
    private readonly view: QueueViewService,
    private readonly workNext: WorkNextService,
    private readonly review: ReviewService,
    private readonly ticketPage: TicketPageService,
  ) {}

  @Get()
  async queue(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const parsed = parseFilters(query);
    if (!parsed.ok) {
      return reply.status(400).view('pages/error', { title: `Bad filter: ${parsed.parameter}`, message: parsed.message, status: 400 });
    }
    const f = parsed.filters;
    const page = await this.view.page(f);
    return reply.view('pages/dashboard', {
      title: 'Queue',
      staff: request.session.staff,
      csrfToken: reply.generateCsrf(),
      ...page,
      canWork: decides(request.session.staff!.role),
      notice: query.empty === '1' ? 'Nobody is waiting.' : undefined,
      nextHref: page.next ? `/dashboard${queueQuery(f, page.next)}` : null,
      filtered: Boolean(f.state || f.sla || f.risk || f.type || f.holder || f.after),
      form: {
        states: OPEN_STATES.map((s) => option(s, f.state)),
        slas: SLA_LEVELS.map((s) => option(s, f.sla)),
        types: REQUEST_TYPES.map((s) => option(s, f.type)),
        sorts: SORTS.map((s) => option(s, f.sort)),
        risk: f.risk ?? '',
        holder: f.holder ?? '',
      },
    });
  }

  @Post('work-next')
  @Roles(...DECIDING_ROLES)
  async next(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const staff = request.session.staff!;
    const ticket = await this.workNext.next(staff.name);
    reply.header('Cache-Control', 'no-store');
    return reply.redirect(ticket ? `/dashboard/tickets/${ticket.reference}` : '/dashboard?empty=1', 303);
  }

  @Get('tickets/:reference')
  async ticket(@Param('reference') reference: string, @Query('done') done: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const model = REFERENCE_PATTERN.test(reference)
      ? await this.ticketPage.model(reference, request.session.staff!, {
          csrfToken: reply.generateCsrf(),
          notice: typeof done === 'string' ? DONE_NOTICES[done] : undefined,
        })
      : null;
    if (!model) return this.notFound(reply);
    return reply.view('pages/ticket', model);
  }

  @Post('tickets/:reference/release')
  @Roles(...DECIDING_ROLES)
  async release(@Param('reference') reference: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    if (!REFERENCE_PATTERN.test(reference)) return this.notFound(reply);
    const staff: StaffIdentity = request.session.staff!;
    try {
      await this.review.release(reference, staff.name);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === DomainErrorCode.NotFound) return this.notFound(reply);
      return reply.status(409).view('pages/error', { title: 'Not released', message: error.message, status: 409 });
    }
    return reply.redirect('/dashboard', 303);
  }

  private notFound(reply: FastifyReply) {
    return reply.status(404).view('pages/error', { title: 'No such ticket', message: 'There is no ticket with that reference.', status: 404 });
  }
}
