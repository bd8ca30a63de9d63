import {
  type ArgumentsHost,
  applyDecorators,
  Catch,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Moderator } from './moderator.entity.js';
import type { ModeratorRole } from './moderator-roles.js';
import { type SessionEnd, sessionEnded, sessionRevoked, staffOf } from './staff-session.js';

/** The metadata key @Roles sets: the roles a route (handler or controller) admits. */
export const ROLES_KEY = 'recovery-desk:roles';

/** Where the login page says why a session ended (its `notice` parameter). */
export const SESSION_END_NOTICES: Record<SessionEnd, string> = { idle: 'session_idle', lifetime: 'session_ended', revoked: 'session_revoked' };

/** Nobody signed in (or the account was disabled, or the session ended since): pages send them to /login. */
export class SignInRequired extends Error {
  constructor(readonly ended?: SessionEnd) {
    super(ended ? `session ended (${ended})` : 'sign-in required');
  }
}

/** Signed in, but the route does not admit this role. */
export class RoleNotAllowed extends Error {
  constructor(readonly role: string) {
    super(`role ${role} not allowed`);
  }
}

/** What checking a staff request needs: the account (read fresh), the Clock and the session limits. */
export interface StaffAccessDeps {
  dataSource: DataSource;
  clock: Clock;
  config: Pick<AppConfig, 'session'>;
}

/**
 * Admits only signed-in moderators whose role is listed (docs/security.md #14), or throws
 * SignInRequired / RoleNotAllowed. The account is read again on every request, so disabling a moderator,
 * changing their role or ending their sessions takes effect at once rather than when the session expires. Used by the role
 * guard and by hooks guarding routes Nest does not serve (the ops queue board). `touch: false` checks
 * without counting the request as activity: a page polling by itself must not keep a session alive.
 */
export async function admitStaff(
  request: FastifyRequest,
  roles: readonly ModeratorRole[],
  deps: StaffAccessDeps,
  { touch = true }: { touch?: boolean } = {},
): Promise<void> {
  const staff = staffOf(request);
  if (!staff) throw new SignInRequired();
  // docs/security.md #18: the limits are checked here, against the Clock; Redis's expiry is only a backstop.
  const now = deps.clock.now().getTime();
  const ended = sessionEnded(staff, now, deps.config.session);
  if (ended) {
    await request.session.destroy();
    throw new SignInRequired(ended);
  }
  const moderator = await deps.dataSource.getRepository(Moderator).findOneBy({ id: staff.id });
  if (!moderator || moderator.disabledAt) {
    await request.session.destroy();
    throw new SignInRequired();
  }
  // docs/security.md #18: an admin ended this person's sessions (or reset their second factor) since this sign-in.
  if (sessionRevoked(staff, moderator.sessionGeneration)) {
    await request.session.destroy();
    throw new SignInRequired('revoked');
  }
  // Any staff request counts as activity (one refused for the role too), unless the caller says otherwise.
  request.session.staff = { ...staff, role: moderator.role, lastSeenAt: touch ? now : staff.lastSeenAt };
  if (!roles.includes(moderator.role)) throw new RoleNotAllowed(moderator.role);
}

/** The guard of every dashboard route: the roles come from @Roles on the handler or its controller. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const roles = this.reflector.getAllAndOverride<ModeratorRole[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    // A guarded route without @Roles is a mistake: refuse rather than admit everyone.
    if (!roles?.length) throw new RoleNotAllowed('none');
    const deps = { dataSource: this.dataSource, clock: this.clock, config: this.config };
    await admitStaff(context.switchToHttp().getRequest<FastifyRequest>(), roles, deps);
    return true;
  }
}

/** Turns the guard's refusals into pages: anonymous → 303 to /login (saying why a session ended), wrong role → a 403 page. */
@Catch(SignInRequired, RoleNotAllowed)
export class StaffAccessFilter implements ExceptionFilter {
  catch(exception: SignInRequired | RoleNotAllowed, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    reply.header('Cache-Control', 'no-store');
    if (exception instanceof SignInRequired) {
      void reply.redirect(exception.ended ? `/login?notice=${SESSION_END_NOTICES[exception.ended]}` : '/login', 303);
      return;
    }
    void reply.status(403).view('pages/error', {
      title: 'Not for your role',
      message: `Your role (${exception.role}) does not open this page. Ask an admin if you need it.`,
      status: 403,
    });
  }
}

/** The roles a route admits; applies the guard and the filter that turns its refusals into pages. */
export function Roles(...roles: ModeratorRole[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ROLES_KEY, roles), UseGuards(RolesGuard), UseFilters(StaffAccessFilter));
}
