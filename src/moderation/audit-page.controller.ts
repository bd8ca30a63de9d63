import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Roles } from '../auth/roles.guard.js';
import { auditQuery, parseAuditFilters } from './audit-filters.js';
import { AuditViewService } from './audit-view.service.js';

/** The audit log for admins: newest first, filtered, 50 a page, and the chain check on request. */
@ApiExcludeController()
@Controller('dashboard/audit')
@Roles('admin')
export class AuditPageController {
  constructor(private readonly view: AuditViewService) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    reply.header('Cache-Control', 'no-store');
    const staff = request.session.staff;
    const parsed = parseAuditFilters(query);
    if (!parsed.ok) {
      return reply.status(400).view('pages/error', { title: `Bad filter: ${parsed.parameter}`, message: parsed.message, status: 400, staff });
    }
    const f = parsed.filters;
    // The chain check reads every entry, so it runs only when asked for.
    const [page, chain] = await Promise.all([this.view.page(f), f.verify ? this.view.verify() : Promise.resolve(null)]);
    return reply.view('pages/audit', {
      title: 'Audit log',
      staff,
      ...page,
      chain,
      filtered: Boolean(f.actor || f.action || f.ticket || f.from || f.to || f.before),
      nextHref: page.next ? `/dashboard/audit${auditQuery(f, { before: page.next })}` : null,
      form: { actor: f.actor ?? '', action: f.action ?? '', ticket: f.ticket ?? '', from: f.from ?? '', to: f.to ?? '', before: f.before ?? '' },
    });
  }
}
