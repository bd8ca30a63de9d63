import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { TicketState } from '../tickets/ticket-state.js';
import { MODERATOR_ROLES } from './moderator-roles.js';
import { Roles } from './roles.guard.js';

/** The dashboard's start page: who is signed in and how many tickets are in each state (the queue page comes next). */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @Roles(...MODERATOR_ROLES)
  async home(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    // One GROUP BY on the (state, created_at) index.
    const rows: { state: string; n: string | number }[] = await this.dataSource.query('SELECT state, COUNT(*) AS n FROM tickets GROUP BY state');
    const counts = new Map(rows.map((r) => [r.state, Number(r.n)]));
    const states = Object.values(TicketState).map((state) => ({ state, label: state.replace(/_/g, ' '), count: counts.get(state) ?? 0 }));
    return reply.header('Cache-Control', 'no-store').view('pages/dashboard', {
      title: 'Dashboard', staff: request.session.staff, states, total: states.reduce((sum, s) => sum + s.count, 0),
      csrfToken: reply.generateCsrf(),
    });
  }
}
