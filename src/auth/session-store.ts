import type { Session } from 'fastify';
import type { Redis } from 'ioredis';

type Callback = (error?: unknown) => void;

/**
 * @fastify/session's store interface over the app's own ioredis client: one key per session,
 * `${prefix}:sess:<id>`, expiring `ttlMs` after its last save. Every save (each request of a signed-in
 * moderator: the session plugin is `rolling`) renews the expiry; the expiry is a backstop for abandoned
 * sessions, the role guard enforces SESSION_IDLE and SESSION_TTL (staff-session.ts, sessionEnded).
 * Simpler than connect-redis, which brings express-session and a second Redis client (docs/architecture.md, stack notes).
 * While Redis is away a session cannot be read: the staff pages fail closed with a 500, and the
 * requester's pages, which carry no session cookie, never touch the store.
 */
export class RedisSessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private key(sessionId: string): string {
    return `${this.prefix}:sess:${sessionId}`;
  }

  get(sessionId: string, callback: (error: unknown, session?: Session | null) => void): void {
    this.redis.get(this.key(sessionId)).then(
      (raw) => {
        let session: Session | null = null;
        try {
          session = raw === null ? null : (JSON.parse(raw) as Session);
        } catch {
          // Unreadable: treated as no session (the moderator signs in again).
        }
        callback(null, session);
      },
      (error: unknown) => callback(error),
    );
  }

  set(sessionId: string, session: unknown, callback: Callback): void {
    this.redis.set(this.key(sessionId), JSON.stringify(session), 'EX', Math.ceil(this.ttlMs / 1000)).then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  destroy(sessionId: string, callback: Callback): void {
    this.redis.del(this.key(sessionId)).then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }
}
