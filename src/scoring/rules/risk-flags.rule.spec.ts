import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, email, project, ticket } from '../scoring.fixtures.js';
import { riskFlagsRule } from './risk-flags.rule.js';

const flags = (t = ticket(), a = account(), config = C) => riskFlagsRule({ ticket: t, account: a, config, now: NOW, shares: configuredShares(C) }).riskFlags;

describe('riskFlagsRule', () => {
  it('raises nothing for a quiet account', () => {
    expect(flags()).toEqual([]);
  });

  it('does not move the score with its flags', () => {
    const r = riskFlagsRule({
      ticket: ticket({ competingRequests: true, claims: { previousEmails: ['y@yopmail.com'] } }),
      account: account({ recoveryCodesUnused: 5 }),
      config: C,
      now: NOW,
      shares: configuredShares(C),
    });
    expect(r.signals.length).toBeGreaterThan(0);
    expect(r.signals.every((s) => s.effect === 0)).toBe(true);
  });

  it('takes points off (a risk, not a contradiction) only for a disposable contact address', () => {
    const r = riskFlagsRule({ ticket: ticket({ contactEmail: 'x@mailinator.com' }), account: account(), config: C, now: NOW, shares: configuredShares(C) });
    expect(r.signals).toEqual([
      expect.objectContaining({ kind: 'risk', effect: -C.weights.disposableContact, reason: expect.stringContaining('x***@mailinator.com') }),
    ]);
    expect(C.weights.disposableContact).toBeGreaterThan(0);
  });

  it('flags competing requests', () => {
    expect(flags(ticket({ competingRequests: true }))).toEqual(['competing_requests']);
  });

  it('flags a primary address added in the window, not one added long ago or on a new account', () => {
    const recent = (days: number) => new Date(NOW.getTime() - days * 86_400_000);
    const withPrimary = (addedAt: Date, joinedAt = new Date('2018-01-01Z')) =>
      account({ joinedAt, emails: [email('p@x.example', { primary: true, addedAt })] });
    expect(flags(ticket(), withPrimary(recent(5)))).toEqual(['primary_email_changed_recently']);
    expect(flags(ticket(), withPrimary(recent(31)))).toEqual([]);
    expect(flags(ticket(), withPrimary(recent(5), recent(6)))).toEqual([]);
  });

  it('flags a primary address removed in the window', () => {
    const a = account({ emails: [email('p@x.example', { primary: true, removedAt: new Date(NOW.getTime() - 2 * 86_400_000) })] });
    expect(flags(ticket(), a)).toEqual(['primary_email_changed_recently']);
  });

  it('flags an owner or a maintainer of a project above the download threshold', () => {
    const big = C.highValueMonthlyDownloads;
    expect(C.highValueRoles).toEqual(['Owner', 'Maintainer']);
    expect(flags(ticket(), account({ projects: [project('big', { monthlyDownloads: big })] }))).toEqual(['high_value_account']);
    // a maintainer can publish a release as an owner can (23 million downloads a month, and not flagged, was how it was found)
    const maintainer = account({
      projects: [project('small', { monthlyDownloads: 10 }), project('big', { monthlyDownloads: 23_000_000, role: 'Maintainer' })],
    });
    expect(flags(ticket(), maintainer)).toEqual(['high_value_account']);
    expect(riskFlagsRule({ ticket: ticket(), account: maintainer, config: C, now: NOW, shares: configuredShares(C) }).signals).toContainEqual(
      expect.objectContaining({ reason: `maintainer of a project with ≥ ${big} monthly downloads` }),
    );
    expect(
      flags(
        ticket(),
        account({ projects: [project('small', { monthlyDownloads: big - 1 }), project('small2', { monthlyDownloads: big - 1, role: 'Maintainer' })] }),
      ),
    ).toEqual([]);
  });

  it('counts only the configured roles', () => {
    const big = C.highValueMonthlyDownloads;
    const ownersOnly = { ...C, highValueRoles: ['Owner'] as const };
    expect(flags(ticket(), account({ projects: [project('big', { monthlyDownloads: big, role: 'Maintainer' })] }), ownersOnly)).toEqual([]);
    expect(flags(ticket(), account({ projects: [project('big', { monthlyDownloads: big })] }), ownersOnly)).toEqual(['high_value_account']);
  });

  it('flags a disposable contact or claimed address, subdomains included', () => {
    expect(flags(ticket({ contactEmail: 'x@mailinator.com' }))).toEqual(['disposable_domain']);
    expect(flags(ticket({ claims: { previousEmails: ['y@eu.yopmail.com'] } }))).toEqual(['disposable_domain']);
    expect(flags(ticket({ contactEmail: 'x@notmailinator.com' }))).toEqual([]);
  });

  it('flags expired domains from the configured list, on contact or on file', () => {
    const config = { ...C, expiredDomains: ['gone.example'] };
    expect(flags(ticket({ contactEmail: 'x@gone.example' }), account(), config)).toEqual(['expired_domain']);
    expect(flags(ticket(), account({ emails: [email('a@gone.example')] }), config)).toEqual(['expired_domain']);
    expect(flags(ticket({ contactEmail: 'x@gone.example' }))).toEqual([]);
  });

  it('flags unused recovery codes', () => {
    expect(flags(ticket(), account({ recoveryCodesUnused: 8 }))).toEqual(['unused_recovery_codes']);
  });
});
