import type {} from '@fastify/csrf-protection'; // adds reply.generateCsrf() to Fastify's types
import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '../common/clock.js';
import { MODERATOR_ROLES } from './moderator-roles.js';
import { Roles } from './roles.guard.js';
import { STAFF_STATE_LABELS, type StaffAction } from './staff-admin-rules.js';
import { StaffAdminError, type StaffAdminErrorKind, StaffAdminService } from './staff-admin.service.js';
import { staffOf } from './staff-session.js';

type Form = Record<string, unknown> | undefined;

/** The path segment of each action's form. */
const ACTION_PATHS: Record<string, StaffAction> = {
  disable: 'disable',
  enable: 'enable',
  role: 'change_role',
  'reset-second-factor': 'reset_second_factor',
  'end-sessions': 'end_sessions',
};

/** What the list says after an action redirected back to it (`done` and `name` in the query). */
const DONE: Record<StaffAction, (name: string) => string> = {
  disable: (n) => `${n} is disabled: they cannot sign in, and their sessions have ended.`,
  enable: (n) => `${n} is enabled again: they sign in as before (their old sessions stay ended).`,
  change_role: (n) => `${n} has a new role, from their next request on.`,
  reset_second_factor: (n) => `${n}'s second factor is reset: their sessions have ended, and they set up an authenticator app again at their next sign-in.`,
  end_sessions: (n) => `Every session of ${n} has ended: they sign in again at their next request.`,
};

const STATUS_OF: Record<StaffAdminErrorKind, number> = { not_found: 404, bad_role: 400, self: 409, last_admin: 409, unchanged: 409 };

/**
 * Staff administration for admins (docs/moderation.md, "Staff administration"; docs/security.md #32): the
 * list of staff with their second factors and state, and a form per action. Under /admin, so the CSRF
 * hook checks every form; each action answers with a redirect to the list (303) or the list again with
 * the reason it was refused (400, 404, 409).
 */
@ApiExcludeController()
@Controller('admin/staff')
@Roles('admin')
export class StaffAdminController {
  constructor(
    private readonly staffAdmin: StaffAdminService,
    private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() query: Record<string, unknown>, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const done = typeof query.done === 'string' && Object.hasOwn(DONE, query.done) ? DONE[query.done as StaffAction] : undefined;
    return this.page(request, reply, 200, { done: done && typeof query.name === 'string' ? { say: done, name: query.name } : undefined });
  }

  @Post(':name/:action')
  async act(@Param('name') name: string, @Param('action') path: string, @Body() body: Form, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const action = Object.hasOwn(ACTION_PATHS, path) ? ACTION_PATHS[path] : undefined;
    if (!action) return this.page(request, reply, 404, { error: `There is no staff action "${path}".` });
    const admin = staffOf(request)!;
    let person: string;
    try {
      const role = typeof body?.role === 'string' ? body.role : undefined;
      const facts = await this.staffAdmin.act(action, name, { kind: 'moderator', id: admin.id, name: admin.name }, this.clock.now(), role);
      person = String(facts.moderator);
    } catch (error) {
      if (!(error instanceof StaffAdminError)) throw error;
      return this.page(request, reply, STATUS_OF[error.kind], { error: `Nothing was changed: ${error.message}` });
    }
    return reply.header('Cache-Control', 'no-store').redirect(`/admin/staff?done=${action}&name=${encodeURIComponent(person)}`, 303);
  }

  /** `done`: what the last action did, said only of a person on the list (the query string is anyone's to write). */
  private async page(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    context: { done?: { say: (name: string) => string; name: string }; error?: string },
  ) {
    const rows = await this.staffAdmin.list(this.clock.now());
    const me = staffOf(request)!;
    const notice = context.done && rows.some((r) => r.name === context.done!.name) ? context.done.say(context.done.name) : undefined;
    return reply
      .status(status)
      .header('Cache-Control', 'no-store')
      .view('pages/staff', {
        title: 'Staff',
        staff: me,
        csrfToken: reply.generateCsrf(),
        notice,
        error: context.error,
        showPasskeys: rows.some((r) => r.passkeys !== null),
        rows: rows.map((r) => ({
          ...r,
          self: r.id === me.id,
          disabled: r.states.includes('disabled'),
          stateLabels: (r.states.length ? r.states : (['active'] as const)).map((s) => STAFF_STATE_LABELS[s]),
          roles: MODERATOR_ROLES.map((value) => ({ value, selected: value === r.role })),
        })),
      });
  }
}
