import { isActiveAdmin, type StaffActionRequest, staffActionRefusal, type StaffFacts, staffStates } from './staff-admin-rules.js';

const ADA: StaffFacts = { id: 'a1', name: 'ada', role: 'admin', disabled: false };
const BEN: StaffFacts = { id: 'b2', name: 'ben', role: 'moderator', disabled: false };
const ask = (overrides: Partial<StaffActionRequest>): StaffActionRequest => ({ action: 'disable', actorId: 'a1', target: BEN, activeAdmins: 1, ...overrides });
const reason = (overrides: Partial<StaffActionRequest>) => staffActionRefusal(ask(overrides))?.reason ?? null;

describe('staffActionRefusal', () => {
  it('lets an admin disable, enable, re-role, reset and end the sessions of someone else', () => {
    expect(reason({ action: 'disable' })).toBeNull();
    expect(reason({ action: 'enable', target: { ...BEN, disabled: true } })).toBeNull();
    expect(reason({ action: 'change_role', newRole: 'senior' })).toBeNull();
    expect(reason({ action: 'reset_second_factor' })).toBeNull();
    expect(reason({ action: 'end_sessions' })).toBeNull();
  });

  it('refuses disabling or changing the role of oneself, with a message that says whom to ask', () => {
    const withTwoAdmins = { actorId: 'a1', target: ADA, activeAdmins: 2 };
    expect(staffActionRefusal(ask({ ...withTwoAdmins, action: 'disable' }))).toEqual({
      reason: 'self',
      message: 'You cannot disable your own account: ask another admin.',
    });
    expect(staffActionRefusal(ask({ ...withTwoAdmins, action: 'change_role', newRole: 'senior' }))).toEqual({
      reason: 'self',
      message: 'You cannot change your own role: ask another admin.',
    });
  });

  it('lets a person reset their own second factor or end their own sessions (they only sign in again)', () => {
    expect(reason({ actorId: 'a1', target: ADA, action: 'reset_second_factor' })).toBeNull();
    expect(reason({ actorId: 'a1', target: ADA, action: 'end_sessions' })).toBeNull();
  });

  it('never leaves the desk without an active admin, from the page or the command line', () => {
    for (const actorId of ['someone-else', null]) {
      expect(reason({ actorId, target: ADA, activeAdmins: 1, action: 'disable' })).toBe('last_admin');
      expect(reason({ actorId, target: ADA, activeAdmins: 1, action: 'change_role', newRole: 'ops' })).toBe('last_admin');
      expect(reason({ actorId, target: ADA, activeAdmins: 2, action: 'disable' })).toBeNull();
      expect(reason({ actorId, target: ADA, activeAdmins: 2, action: 'change_role', newRole: 'ops' })).toBeNull();
    }
    expect(staffActionRefusal(ask({ actorId: null, target: ADA, action: 'disable' }))?.message).toBe(
      '"ada" is the last active admin: make someone else admin first, so that somebody can still run the desk.',
    );
    // A disabled admin is not the one keeping the desk running: demoting them is fine.
    expect(reason({ actorId: null, target: { ...ADA, disabled: true }, activeAdmins: 1, action: 'change_role', newRole: 'ops' })).toBeNull();
    // The command line has no self: it may disable a non-last admin.
    expect(reason({ actorId: null, target: ADA, activeAdmins: 3, action: 'disable' })).toBeNull();
  });

  it('refuses what would change nothing, and unknown roles, naming the field', () => {
    expect(reason({ action: 'disable', target: { ...BEN, disabled: true } })).toBe('unchanged');
    expect(reason({ action: 'enable' })).toBe('unchanged');
    expect(reason({ action: 'change_role', newRole: 'moderator' })).toBe('unchanged');
    expect(staffActionRefusal(ask({ action: 'change_role', newRole: 'boss' }))).toEqual({
      reason: 'bad_role',
      message: 'role must be one of moderator, senior, ops, admin',
    });
    expect(reason({ action: 'change_role' })).toBe('bad_role');
  });

  it('counts only admins who are not disabled as active', () => {
    expect(isActiveAdmin(ADA)).toBe(true);
    expect(isActiveAdmin({ ...ADA, disabled: true })).toBe(false);
    expect(isActiveAdmin(BEN)).toBe(false);
  });
});

describe('staffStates', () => {
  const now = new Date('2026-12-08T10:00:00Z');
  const person = { disabledAt: null, lockedUntil: null, mustChangePassword: false, totpEnrolled: true };

  it('is empty (active) for an enrolled person with their own password', () => {
    expect(staffStates(person, now)).toEqual([]);
  });

  it('lists every state that applies, a lock only while it runs', () => {
    expect(staffStates({ disabledAt: now, lockedUntil: new Date(now.getTime() + 1), mustChangePassword: true, totpEnrolled: false }, now)).toEqual([
      'disabled',
      'locked',
      'must_change_password',
      'second_factor_to_enrol',
    ]);
    expect(staffStates({ ...person, lockedUntil: now }, now)).toEqual([]);
  });
});
