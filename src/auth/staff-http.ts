import fastifyCookie from '@fastify/cookie';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { sendErrorPage } from '../common/views.js';
import type { AppConfig } from '../config/app-config.js';
import { RedisSessionStore } from './session-store.js';
import { sessionSecret, sessionStoreTtlMs, staffCookie } from './staff-session.js';
import { REDIS } from '../redis/redis.constants.js';

/**
 * Where staff forms post: every state-changing request under these paths must carry the session's CSRF
 * token. /ops, /reports and /admin have no pages yet; listed so staff pages added there are covered
 * (test/route-table.e2e-spec.ts checks every @Roles route is under one of these).
 */
export const STAFF_PATH_PREFIXES = ['/login', '/logout', '/dashboard', '/account', '/ops', '/reports', '/admin'] as const;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStaffPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return STAFF_PATH_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * By the raw path and by the matched route's pattern: the router decodes the path (`/%64ashboard/…`
 * reaches /dashboard/…), so the raw path alone would let such a spelling skip the token check.
 */
function isStaffRequest(request: FastifyRequest): boolean {
  return isStaffPath(request.url) || (!request.is404 && isStaffPath(request.routeOptions.url ?? ''));
}

/**
 * Staff sessions, in the order the plugins depend on each other (docs/architecture.md, stack notes): cookie → session →
 * csrf-protection → the hook that checks tokens. Call before the app is initialised, so the hook
 * applies to the controllers' routes.
 */
export async function registerStaffSessions(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const cookie = staffCookie(config);
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: sessionSecret(config),
    cookieName: cookie.name,
    store: new RedisSessionStore(app.get<Redis>(REDIS), config.redis.prefix, sessionStoreTtlMs(config.session)),
    // Requesters never get a cookie: a session is stored only once something is put in it (the
    // CSRF secret of the sign-in form, then the sign-in itself).
    saveUninitialized: false,
    // Every request re-saves the session, renewing its Redis expiry (a backstop: the role guard enforces
    // SESSION_IDLE and SESSION_TTL against the Clock).
    rolling: true,
    cookie: {
      path: '/',
      httpOnly: true,
      secure: cookie.secure,
      // Lax, not Strict: the cookie is still withheld from cross-site POSTs, frames and subresources (and
      // every POST also needs a token), while a moderator following a ticket link from mail or chat
      // arrives signed in instead of at the sign-in page. Staff GETs change nothing, so Lax is safe.
      sameSite: 'lax',
      // No maxAge: a browser-session cookie; the server-side expiry is what counts.
    },
  });
  await app.register(fastifyCsrfProtection, {
    sessionPlugin: '@fastify/session',
    // docs/security.md #19: the token comes from the form field or a header, never from a cookie or the query.
    getToken: (request: FastifyRequest) => {
      const body = request.body as Record<string, unknown> | undefined;
      const fromBody = typeof body === 'object' && body !== null && typeof body._csrf === 'string' ? body._csrf : undefined;
      const header = request.headers['x-csrf-token'];
      return fromBody ?? (typeof header === 'string' ? header : undefined);
    },
  });
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  // preHandler, not onRequest: the `_csrf` field is in the body, parsed only by then.
  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    if (SAFE_METHODS.has(request.method) || !isStaffRequest(request)) return;
    if (await csrfTokenValid(fastify, request)) return;
    return sendErrorPage(fastify, reply.header('Cache-Control', 'no-store'), {
      title: 'This form has expired',
      message: 'The form was not sent from a page of this site, or it was open too long. Go back, reload the page and try again.',
      status: 403,
    });
  });
}

/**
 * Asks @fastify/csrf-protection's own check (secret in the session, token from getToken) for a yes or
 * no: on failure it would send its own JSON error, so it is handed a stand-in reply and the hook
 * renders a page instead.
 */
function csrfTokenValid(fastify: FastifyInstance, request: FastifyRequest): Promise<boolean> {
  return new Promise((resolve) => {
    const standIn = { send: () => resolve(false) } as unknown as FastifyReply;
    fastify.csrfProtection(request, standIn, () => resolve(true));
  });
}
