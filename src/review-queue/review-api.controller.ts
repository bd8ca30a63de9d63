import { Body, Controller, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../common/domain.exception.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { ReasonDto, ReassignDto } from './dto/review-actions.dto.js';
import { ReviewApiGuard } from './review-api.guard.js';
import { ReviewService } from './review.service.js';
import { WorkNextService } from './work-next.service.js';

type StaffRequest = FastifyRequest & { moderatorId: string };

const REFERENCE = /^RD-[A-Z0-9]{6}$/i;

function reference(raw: string): string {
  if (!REFERENCE.test(raw)) throw DomainError.validation([{ field: 'reference', reasons: ['reference must look like RD-ABC123'] }]);
  return raw.toUpperCase();
}

const claimView = (t: Ticket) => ({
  reference: t.reference,
  state: t.state,
  request_type: t.requestType,
  claimed_by: t.claimedBy,
  lease_expires_at: t.leaseExpiresAt?.toISOString() ?? null,
  sla_level: t.slaLevel,
  band: t.band,
});

/** The staff review API: work next, keep the lease, release, reassign, escalate, reopen. */
@ApiTags('review')
@ApiBearerAuth()
@Controller('api/v1/review')
@UseGuards(ReviewApiGuard)
export class ReviewApiController {
  constructor(
    private readonly workNext: WorkNextService,
    private readonly review: ReviewService,
  ) {}

  @Post('next')
  @ApiOperation({ summary: 'Claim the next ticket in the queue (204 when nobody waits)' })
  async next(@Req() request: StaffRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const ticket = await this.workNext.next(request.moderatorId);
    if (!ticket) {
      reply.status(204);
      return undefined;
    }
    reply.status(200);
    return claimView(ticket);
  }

  @Post('tickets/:reference/lease')
  @HttpCode(200)
  @ApiOperation({ summary: 'Renew the lease on a ticket you hold' })
  async renew(@Param('reference') ref: string, @Req() request: StaffRequest) {
    const until = await this.review.renewLease(reference(ref), request.moderatorId);
    return { lease_expires_at: until.toISOString() };
  }

  @Post('tickets/:reference/release')
  @HttpCode(204)
  @ApiOperation({ summary: 'Give a ticket back: it returns to its place in the queue' })
  async release(@Param('reference') ref: string, @Req() request: StaffRequest): Promise<void> {
    await this.review.release(reference(ref), request.moderatorId);
  }

  @Post('tickets/:reference/reassign')
  @HttpCode(204)
  @ApiOperation({ summary: 'Hand a ticket to another moderator' })
  async reassign(@Param('reference') ref: string, @Body() body: ReassignDto, @Req() request: StaffRequest): Promise<void> {
    await this.review.reassign(reference(ref), request.moderatorId, body.to);
  }

  @Post('tickets/:reference/escalate')
  @HttpCode(204)
  @ApiOperation({ summary: 'Escalate to a senior moderator: released and put at the top of the queue' })
  async escalate(@Param('reference') ref: string, @Body() body: ReasonDto, @Req() request: StaffRequest): Promise<void> {
    await this.review.escalate(reference(ref), request.moderatorId, body.reason);
  }

  @Post('tickets/:reference/reopen')
  @HttpCode(204)
  @ApiOperation({ summary: 'Reopen a denied or unanswered ticket (a new decision cycle)' })
  async reopen(@Param('reference') ref: string, @Body() body: ReasonDto, @Req() request: StaffRequest): Promise<void> {
    await this.review.reopen(reference(ref), request.moderatorId, body.reason);
  }
}
