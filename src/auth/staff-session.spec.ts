import { sessionEnded, sessionRevoked, sessionStoreTtlMs, type StaffIdentity } from './staff-session.js';

const MIN = 60_000;
const limits = { idleMs: 15 * MIN, ttlMs: 8 * 60 * MIN };
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);
const staff = (overrides: Partial<StaffIdentity> = {}): StaffIdentity => ({ id: 'm1', name: 'ann', role: 'moderator', signedInAt: T0, ...overrides });

describe('sessionEnded', () => {
  it('keeps a session used within the idle timeout, measured from the sign-in before the first staff request', () => {
    expect(sessionEnded(staff(), T0 + 14 * MIN, limits)).toBeNull();
    expect(sessionEnded(staff(), T0 + 15 * MIN - 1, limits)).toBeNull();
    expect(sessionEnded(staff(), T0 + 15 * MIN, limits)).toBe('idle');
  });

  it('measures idleness from the last staff request', () => {
    const seen = staff({ lastSeenAt: T0 + 60 * MIN });
    expect(sessionEnded(seen, T0 + 74 * MIN, limits)).toBeNull();
    expect(sessionEnded(seen, T0 + 76 * MIN, limits)).toBe('idle');
  });

  it('ends an active session at the absolute lifetime, however recent the last request', () => {
    expect(sessionEnded(staff({ lastSeenAt: T0 + 8 * 60 * MIN - MIN }), T0 + 8 * 60 * MIN - 1, limits)).toBeNull();
    expect(sessionEnded(staff({ lastSeenAt: T0 + 8 * 60 * MIN - MIN }), T0 + 8 * 60 * MIN, limits)).toBe('lifetime');
  });

  it('names the limit that was reached first', () => {
    // Idle since 7h50: the idle timeout (8h05) comes after the lifetime (8h).
    expect(sessionEnded(staff({ lastSeenAt: T0 + 470 * MIN }), T0 + 9 * 60 * MIN, limits)).toBe('lifetime');
    // Idle since 1h: the idle timeout (1h15) came long before the lifetime.
    expect(sessionEnded(staff({ lastSeenAt: T0 + 60 * MIN }), T0 + 9 * 60 * MIN, limits)).toBe('idle');
  });

  it('keeps sessions in Redis longer than the idle timeout', () => {
    expect(sessionStoreTtlMs(limits)).toBeGreaterThan(limits.idleMs);
  });
});

describe('sessionRevoked', () => {
  it("keeps a session signed in under the row's generation, and ends it once the row moved on", () => {
    expect(sessionRevoked(staff({ generation: 3 }), 3)).toBe(false);
    expect(sessionRevoked(staff({ generation: 3 }), 4)).toBe(true);
  });

  it('reads a session from before generations as generation 0', () => {
    expect(sessionRevoked(staff(), 0)).toBe(false);
    expect(sessionRevoked(staff(), 1)).toBe(true);
  });
});
