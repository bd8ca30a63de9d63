import { Controller, Get, Post, RequestMethod, type Type, UseGuards } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { isModeratorRole, MODERATOR_ROLES, type ModeratorRole } from '../src/auth/moderator-roles.js';
import { Roles, ROLES_KEY, RolesGuard } from '../src/auth/roles.guard.js';
import { isStaffPath } from '../src/auth/staff-http.js';
import { QUEUE_BOARD_API_PATH, QUEUE_BOARD_PATH, QUEUE_BOARD_ROLES } from '../src/ops/queue-board-access.hook.js';
import { csrfIn, signedInModerator } from './support/staff.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { REFERENCE_PATTERN } from '../src/common/tokens.js';

/**
 * The whole route table, read from the running app, against the access rules of
 * docs/moderation.md ("Roles") and docs/security.md #14/#19. Routes come from Nest's own metadata (controllers, @Get/@Post…, @Roles,
 * guards), so a route added later is covered without touching this file; Fastify's table is read too,
 * so a route registered past Nest (a plugin) must be on the public list.
 *
 * What is asserted, for every staff route (under a staff prefix, or carrying @Roles):
 * - it has @Roles with known roles and the role guard, and the CSRF hook covers its path;
 * - anonymous GET → 303 to /login;
 * - anonymous POST (any state-changing method) without a token → 403 from the CSRF hook, and with a valid
 *   token of a signed-out session → 303 to /login from the role guard; never 2xx, never 5xx;
 * - a signed-in moderator of each role the route does not admit → 403 from the role guard (POSTs carry
 *   the session's CSRF token, so the guard is what answers); a role it admits gets past the guard (GETs).
 * Every other route is on the public list below, or has a guard that refuses an anonymous request.
 * Plugin routes are public by design (the stylesheet, the API docs) or sit under /ops/queues, where the
 * access hook answers for them as the role guard does (bull-board's routes never reach a Nest guard).
 */

/** Where staff pages live: anything here must name its roles. */
const STAFF_PREFIXES = ['/dashboard', '/ops', '/reports', '/admin'];

/** The public surface; `/*` means the path and everything below it. Add to it deliberately. */
const PUBLIC_ROUTES = [
  '/',
  '/recover',
  '/code-of-conduct',
  '/api/v1/tickets',
  '/health/*',
  '/status/*',
  '/login/*',
  '/logout',
  // The token in the path is the key (stop links go to every address on file; reset links to the verified one).
  '/recovery/stop/*',
  '/reset/*',
  // Prometheus's scrape target: open, or closed by METRICS_TOKEN, which is its guard (test/metrics.e2e-spec.ts).
  '/metrics',
];
/** Served by Fastify plugins rather than controllers: the stylesheet and the API documentation. */
const PUBLIC_PLUGIN_ROUTES = ['/static/*', '/api/docs/*', '/api/docs-yaml'];
/** Plugin routes behind the queue board's access hook (src/ops/queue-board-access.hook.ts), not a Nest guard. */
const HOOK_GUARDED_PLUGIN_ROUTES = [`${QUEUE_BOARD_PATH}/*`];

/** Plausible values for path parameters (a reference passes REFERENCE_PATTERN, so the handler's own check does not answer first). */
const PARAMS: Record<string, string> = { reference: 'RD-ABC234', token: 'A'.repeat(43), id: randomUUID(), queueName: 'mail' };
const fill = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => PARAMS[name] ?? 'x1');

interface Route {
  method: string;
  path: string;
  where: string;
  roles: unknown[] | undefined;
  guards: string[];
}

const matches = (path: string, patterns: string[]) =>
  patterns.some((p) => (p.endsWith('/*') ? path === p.slice(0, -2) || path.startsWith(p.slice(0, -1)) : path === p));
const isStaff = (route: Route) =>
  route.roles !== undefined ||
  matches(
    route.path,
    STAFF_PREFIXES.map((p) => `${p}/*`),
  );
const joinPath = (...parts: string[]) => `/${parts.join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
const asList = (value: unknown): string[] => (Array.isArray(value) ? value : [value ?? '']) as string[];

/** Every route the controllers declare, with the roles and guards Nest will apply (handler over controller). */
function routesOf(controllers: Type[]): Route[] {
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const controller of controllers) {
    const classGuards = (Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as Array<Type | object>;
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = controller.prototype[name] as () => unknown;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const guards = [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as Array<Type | object>)].map((g) =>
        typeof g === 'function' ? g.name : g.constructor.name,
      );
      const roles = reflector.getAllAndOverride<unknown[] | undefined>(ROLES_KEY, [handler, controller]);
      for (const base of asList(Reflect.getMetadata(PATH_METADATA, controller))) {
        for (const path of asList(paths)) routes.push({ method, path: joinPath(base, path), where: `${controller.name}.${name}`, roles, guards });
      }
    }
  }
  return routes;
}

/** What is wrong with a route table, one line per route and rule; empty when every rule holds. */
function problemsOf(routes: Route[]): string[] {
  const problems: string[] = [];
  for (const r of routes) {
    const id = `${r.method} ${r.path} (${r.where})`;
    if (isStaff(r)) {
      if (!r.roles?.length) problems.push(`${id}: a staff route without @Roles`);
      else if (!r.roles.every((role) => typeof role === 'string' && isModeratorRole(role))) problems.push(`${id}: @Roles names an unknown role`);
      if (!r.guards.includes(RolesGuard.name)) problems.push(`${id}: a staff route without the role guard`);
      if (!isStaffPath(r.path)) problems.push(`${id}: @Roles outside the staff paths, so the CSRF hook does not cover it`);
    } else if (!matches(r.path, PUBLIC_ROUTES) && r.guards.length === 0) {
      problems.push(`${id}: no guard, and not on the public list`);
    }
  }
  return problems;
}

/** Fastify's route table (method, path), from printRoutes' radix tree: a path is its labels from the root down. */
function fastifyRoutes(tree: string): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(.+?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    stack.length = depth;
    stack.push(m[2]);
    for (const method of m[3]?.split(', ') ?? []) out.push({ method, path: stack.join('') });
  }
  return out;
}

const isFormPost = (method: string) => method !== 'GET';
/** The same path with its first letter percent-encoded: the router decodes it and still matches the route. */
const encodedSpelling = (path: string) => `/%${path.charCodeAt(1).toString(16)}${path.slice(2)}`;
const send = (agent: TestAgent, method: string, path: string) =>
  (agent as unknown as Record<string, (url: string) => request.Test>)[method.toLowerCase()](fill(path));

describe('the route table: every staff route names its roles, and nothing else is open by mistake', () => {
  let t: TestApp;
  let routes: Route[];
  let staffRoutes: Route[];
  const agents = new Map<ModeratorRole, { agent: TestAgent; csrf: string }>();

  beforeAll(async () => {
    t = await startTestApp();
    const controllers = [...t.app.get(ModulesContainer).values()].flatMap((module) =>
      [...module.controllers.values()].map((wrapper) => wrapper.metatype as Type),
    );
    routes = routesOf(controllers);
    staffRoutes = routes.filter(isStaff);
    for (const role of MODERATOR_ROLES) {
      const agent = await signedInModerator(t, `routes-${role}`, role);
      // Every role opens the queue page, which carries the session's CSRF token.
      agents.set(role, { agent, csrf: csrfIn((await agent.get('/dashboard').expect(200)).text) });
    }
  });
  afterAll(() => t.close());

  it('finds the routes (the discovery itself works) and they are the ones Fastify serves', () => {
    expect(REFERENCE_PATTERN.test(PARAMS.reference)).toBe(true);
    expect(staffRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'GET /dashboard',
        'POST /dashboard/work-next',
        'GET /dashboard/audit',
        'GET /dashboard/account',
        'POST /dashboard/account/recovery-codes',
        'GET /admin/staff',
        'POST /admin/staff/:name/:action',
      ]),
    );
    // Staff administration is for admins only (docs/security.md #32); one's own account page is for everyone.
    expect(staffRoutes.filter((r) => r.path.startsWith('/admin/')).map((r) => [r.method, r.path, r.roles])).toEqual([
      ['GET', '/admin/staff', ['admin']],
      ['POST', '/admin/staff/:name/:action', ['admin']],
    ]);
    expect(staffRoutes.filter((r) => r.path.startsWith('/dashboard/account')).every((r) => r.roles?.length === MODERATOR_ROLES.length)).toBe(true);
    const served = fastifyRoutes(t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: true }));
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const declared = new Set(routes.map(key));
    for (const r of routes) expect(served.map(key)).toContain(key(r));
    // Whatever Fastify serves beyond the controllers (HEAD for each GET aside) is public by design.
    const extra = served.filter((r) => !declared.has(key(r)) && !(r.method === 'HEAD' && declared.has(`GET ${r.path}`)));
    expect(extra.filter((r) => !matches(r.path, [...PUBLIC_PLUGIN_ROUTES, ...HOOK_GUARDED_PLUGIN_ROUTES])).map(key)).toEqual([]);
    // The queue board is there (its page, its API), so the hook's test below has routes to try.
    expect(served.map(key)).toEqual(expect.arrayContaining([`GET ${QUEUE_BOARD_PATH}`, `GET ${QUEUE_BOARD_API_PATH}/queues`]));
  });

  it('every staff route has @Roles and the role guard under a CSRF-checked path; every other route is public by design or guarded', () => {
    expect(problemsOf(routes)).toEqual([]);
  });

  it('would catch a staff page without @Roles and an unguarded route off the public list', () => {
    @Controller('dashboard/forgotten')
    class ForgottenRoles {
      @Get() page() {}
    }
    @Controller('reports')
    @Roles('admin')
    class Reports {
      @Get(':id') report() {}
    }
    @Controller('internal')
    class Unguarded {
      @Post('purge') purge() {}
      @UseGuards(RolesGuard) @Post('guarded') guarded() {}
      @Roles('ops') @Post('staff-elsewhere') elsewhere() {}
    }
    expect(problemsOf(routesOf([ForgottenRoles, Reports, Unguarded]))).toEqual([
      'GET /dashboard/forgotten (ForgottenRoles.page): a staff route without @Roles',
      'GET /dashboard/forgotten (ForgottenRoles.page): a staff route without the role guard',
      'POST /internal/purge (Unguarded.purge): no guard, and not on the public list',
      'POST /internal/staff-elsewhere (Unguarded.elsewhere): @Roles outside the staff paths, so the CSRF hook does not cover it',
    ]);
  });

  it('anonymous: GET → 303 /login; POST → 403 without a token, 303 /login with one; never 2xx or 5xx', async () => {
    const signedOut = request.agent(t.server);
    const token = csrfIn((await signedOut.get('/login').expect(200)).text);
    for (const r of staffRoutes) {
      const where = `${r.method} ${r.path}`;
      if (!isFormPost(r.method)) {
        const res = await send(request(t.server), r.method, r.path);
        expect([where, res.status, res.headers.location]).toEqual([where, 303, '/login']);
        continue;
      }
      const bare = await send(request(t.server), r.method, r.path).type('form').send({});
      expect([where, bare.status, bare.text.includes('This form has expired')]).toEqual([where, 403, true]);
      const withToken = await send(signedOut, r.method, r.path).type('form').send({ _csrf: token });
      expect([where, withToken.status, withToken.headers.location]).toEqual([where, 303, '/login']);
      // The CSRF hook goes by the route too, so an encoded spelling of the path is checked the same.
      const encoded = await send(signedOut, r.method, encodedSpelling(r.path)).type('form').send({});
      expect([where, encoded.status, encoded.text.includes('This form has expired')]).toEqual([where, 403, true]);
    }
  });

  it("the queue board's plugin routes: anonymous pages → 303 /login, its API → 401, other roles → 403, ops and admin pass", async () => {
    const served = fastifyRoutes(t.app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: true })).filter(
      (r) => matches(r.path, HOOK_GUARDED_PLUGIN_ROUTES) && r.method !== 'HEAD',
    );
    expect(served.length).toBeGreaterThan(10);
    for (const r of served) {
      const where = `${r.method} ${r.path}`;
      const api = matches(r.path, [`${QUEUE_BOARD_API_PATH}/*`]);
      // The hook runs at onRequest, before the CSRF check: anonymous callers of any method are turned away by it.
      const anonymous = await send(request(t.server), r.method, r.path);
      expect([where, anonymous.status, anonymous.headers.location]).toEqual(api ? [where, 401, undefined] : [where, 303, '/login']);
      const encoded = await send(request(t.server), r.method, encodedSpelling(r.path));
      expect([where, encoded.status]).toEqual([where, anonymous.status]);
      for (const role of MODERATOR_ROLES) {
        const { agent, csrf } = agents.get(role)!;
        const admitted = QUEUE_BOARD_ROLES.includes(role);
        // Mutating calls carry the token, so the hook is what answers (ops and admin then meet the read-only
        // board, which test/ops-queues.e2e-spec.ts checks changes nothing).
        const res = r.method === 'GET' ? await send(agent, r.method, r.path) : await send(agent, r.method, r.path).set('x-csrf-token', csrf).send({});
        const got = [`${role}: ${where}`, admitted ? ![303, 401, 403].includes(res.status) && res.status < 500 : res.status];
        expect(got).toEqual([`${role}: ${where}`, admitted ? true : 403]);
      }
    }
  });

  it('a moderator whose role a route does not admit gets 403 from the role guard; an admitted role gets past it', async () => {
    let refusals = 0;
    for (const r of staffRoutes) {
      for (const role of MODERATOR_ROLES) {
        const where = `${role}: ${r.method} ${r.path}`;
        const { agent, csrf } = agents.get(role)!;
        const admitted = (r.roles ?? []).includes(role);
        // Admitted roles are only tried on GETs: a POST that got through would change something.
        if (admitted && isFormPost(r.method)) continue;
        const call = send(agent, r.method, r.path);
        const res = isFormPost(r.method) ? await call.type('form').send({ _csrf: csrf }) : await call;
        if (admitted) {
          expect([where, res.status !== 303 && res.status !== 403 && res.status < 500]).toEqual([where, true]);
        } else {
          refusals++;
          expect([where, res.status, res.text.includes(`Your role (${role}) does not open this page.`)]).toEqual([where, 403, true]);
        }
      }
    }
    expect(refusals).toBeGreaterThan(0); // at least /dashboard/audit and /admin/staff (admin only)
  });

  it('guarded routes outside the staff pages refuse an anonymous request (no 2xx, no 5xx)', async () => {
    const others = routes.filter((r) => !isStaff(r) && !matches(r.path, PUBLIC_ROUTES));
    for (const r of others) {
      const res = await send(request(t.server), r.method, r.path).set('Content-Type', 'application/json').send('{}');
      expect([`${r.method} ${r.path}`, [401, 403, 404].includes(res.status)]).toEqual([`${r.method} ${r.path}`, true]);
    }
  });
});
