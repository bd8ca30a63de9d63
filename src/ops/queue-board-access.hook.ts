import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { admitStaff, RoleNotAllowed, SESSION_END_NOTICES, SignInRequired, type StaffAccessDeps } from '../auth/roles.guard.js';
import type { ModeratorRole } from '../auth/moderator-roles.js';
import { sendErrorPage } from '../common/views.js';

export const QUEUE_BOARD_PATH = '/ops/queues';
/** The board's JSON API, which its page polls: refusals there are 401/403 JSON, not redirects. */
export const QUEUE_BOARD_API_PATH = `${QUEUE_BOARD_PATH}/api`;
export const QUEUE_BOARD_ROLES: readonly ModeratorRole[] = ['ops', 'admin'];

const under = (path: string | undefined, prefix: string): boolean => path !== undefined && (path === prefix || path.startsWith(`${prefix}/`));

/**
 * Guards everything under /ops/queues with the role guard's own check (admitStaff): anonymous pages
 * go to /login (saying why a session ended), the API answers 401; other roles get 403. Decided on the
 * matched route's pattern as well as the raw path, so an encoded or doubled slash that the router
 * still matches cannot slip past. Registered as a root onRequest hook after the session plugin, so the
 * session is loaded and the hook reaches the board's plugin routes.
 */
export function guardQueueBoard(fastify: FastifyInstance, deps: StaffAccessDeps): void {
  const logger = new Logger('QueueBoard');
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const pattern = request.is404 ? undefined : request.routeOptions.url;
    const path = request.url.split('?', 1)[0];
    if (!under(pattern, QUEUE_BOARD_PATH) && !under(path, QUEUE_BOARD_PATH)) return;
    const api = under(pattern ?? path, QUEUE_BOARD_API_PATH);
    try {
      // The page polls its API every few seconds on its own: that is not the moderator being active.
      await admitStaff(request, QUEUE_BOARD_ROLES, deps, { touch: !api });
      return;
    } catch (error) {
      reply.header('Cache-Control', 'no-store');
      if (!(error instanceof SignInRequired) && !(error instanceof RoleNotAllowed)) {
        // Answered here: thrown, it would reach bull-board's error handler, which shows the message.
        logger.error({ err: error, url: request.url }, 'queue board access check failed');
        return reply.status(500).send({ statusCode: 500, error: 'internal_error', message: 'An unexpected error occurred on our side.' });
      }
      if (error instanceof SignInRequired) {
        if (api) return reply.status(401).send({ statusCode: 401, error: 'unauthorized', message: 'Sign in at /login first.' });
        return reply.redirect(error.ended ? `/login?notice=${SESSION_END_NOTICES[error.ended]}` : '/login', 303);
      }
      const message = `Your role (${error.role}) does not open this page. Ask an admin if you need it.`;
      if (api) return reply.status(403).send({ statusCode: 403, error: 'forbidden', message });
      return sendErrorPage(fastify, reply, { title: 'Not for your role', message, status: 403 });
    }
  });
}
