import { addressesToNotify, approvalPolicy, type ApprovalFacts } from './approval-policy.js';
import type { AccountRecord } from '../scoring/account-record.js';

const joined = new Date('2018-01-01T00:00:00Z');
const account: AccountRecord = {
  username: 'alice',
  joinedAt: joined,
  totp: true,
  webauthnKeys: 0,
  recoveryCodesUnused: 0,
  linkedGithub: null,
  projects: [],
  emails: [
    { address: 'alice@example.org', verified: true, primary: true, public: false, addedAt: joined, removedAt: null },
    { address: 'old@example.org', verified: true, primary: false, public: false, addedAt: joined, removedAt: new Date('2020-01-01T00:00:00Z') },
    { address: 'unverified@example.org', verified: false, primary: false, public: false, addedAt: joined, removedAt: null },
    { address: 'alice@lapsed.test', verified: true, primary: false, public: false, addedAt: joined, removedAt: null },
  ],
};
const durations = { coolingOffMs: 24 * 3_600_000, coolingOffLongMs: 72 * 3_600_000 };
const config = { expiredDomains: ['lapsed.test'] };
const facts = (over: Partial<ApprovalFacts> = {}): ApprovalFacts => ({
  riskFlags: [],
  account,
  resetAddress: 'alice@example.org',
  requesterAddresses: ['new@example.net'],
  emailProofs: ['alice@example.org'],
  repositoryProof: false,
  lostAccessToFile: false,
  ...over,
});

describe('approvalPolicy', () => {
  it('lets one moderator approve with the standard cooling-off when control of an address on file was proven', () => {
    expect(approvalPolicy(facts(), durations, config)).toEqual({
      ok: true,
      needsSecond: false,
      newChannel: false,
      longCoolingOff: false,
      coolingOffMs: durations.coolingOffMs,
      reasons: [],
    });
  });

  it('counts a passed repository challenge as proven control', () => {
    const policy = approvalPolicy(facts({ emailProofs: [], repositoryProof: true }), durations, config);
    expect(policy).toMatchObject({ ok: true, needsSecond: false, longCoolingOff: false });
  });

  it('takes the long cooling-off when nothing was proven, without asking for a second moderator', () => {
    const policy = approvalPolicy(facts({ emailProofs: [] }), durations, config);
    expect(policy).toMatchObject({ ok: true, needsSecond: false, longCoolingOff: true, coolingOffMs: durations.coolingOffLongMs });
  });

  it('asks for a second moderator when the assessment does (high value, competing, changed primary)', () => {
    const policy = approvalPolicy(facts({ riskFlags: ['second_moderator_required', 'competing_requests'] }), durations, config);
    expect(policy).toMatchObject({ ok: true, needsSecond: true, longCoolingOff: false });
  });

  it('takes the long cooling-off for a high-value account even with proof', () => {
    const policy = approvalPolicy(facts({ riskFlags: ['high_value_account', 'second_moderator_required'] }), durations, config);
    expect(policy).toMatchObject({ ok: true, needsSecond: true, longCoolingOff: true, coolingOffMs: durations.coolingOffLongMs });
  });

  // docs/security.md #3: a requester-supplied address gets a token only with four-eyes plus cooling-off.
  it('sends the link to a new channel only with a second moderator and the long cooling-off', () => {
    const policy = approvalPolicy(facts({ resetAddress: 'New@Example.net' }), durations, config);
    expect(policy).toMatchObject({ ok: true, needsSecond: true, newChannel: true, longCoolingOff: true });
  });

  it.each([
    ['an address nobody gave', 'stranger@example.com'],
    ['a removed address on file', 'old@example.org'],
    ['an unverified address on file', 'unverified@example.org'],
  ])('refuses %s', (_label, resetAddress) => {
    expect(approvalPolicy(facts({ resetAddress }), durations, config)).toMatchObject({ ok: false, field: 'reset_address' });
  });

  it('refuses an address on an expired domain, even one on file or given by the requester (docs/security.md #6)', () => {
    expect(approvalPolicy(facts({ resetAddress: 'alice@lapsed.test' }), durations, config)).toMatchObject({ ok: false, field: 'reset_address' });
    const given = approvalPolicy(facts({ resetAddress: 'x@lapsed.test', requesterAddresses: ['x@lapsed.test'] }), durations, config);
    expect(given).toMatchObject({ ok: false, reason: expect.stringContaining('expired domain') });
  });

  it('refuses an address on file the requester said they lost, unless they proved it or say they read it', () => {
    const lost = { lostAccessToFile: true, emailProofs: [] };
    expect(approvalPolicy(facts({ ...lost, resetAddress: 'alice@example.org' }), durations, config)).toMatchObject({
      ok: false,
      field: 'reset_address',
      reason: expect.stringContaining('lost access to the addresses on file'),
    });
    expect(approvalPolicy(facts({ ...lost, resetAddress: 'alice@example.org', emailProofs: ['Alice@example.org'] }), durations, config)).toMatchObject({
      ok: true,
    });
    expect(approvalPolicy(facts({ ...lost, resetAddress: 'alice@example.org', requesterAddresses: ['alice@example.org'] }), durations, config)).toMatchObject({
      ok: true,
    });
    // Their own new address stays possible (with four-eyes and the long cooling-off).
    expect(approvalPolicy(facts({ ...lost, resetAddress: 'new@example.net' }), durations, config)).toMatchObject({
      ok: true,
      needsSecond: true,
      newChannel: true,
    });
  });

  it('does not count a code proof on an address that is no longer trusted', () => {
    const policy = approvalPolicy(facts({ emailProofs: ['alice@lapsed.test'] }), durations, config);
    expect(policy).toMatchObject({ ok: true, longCoolingOff: true });
  });
});

describe('addressesToNotify', () => {
  it('tells every current address on file and the extra ones, never removed ones or expired domains, each once', () => {
    expect(addressesToNotify(account, config, ['ALICE@example.org', 'new@example.net'])).toEqual([
      'alice@example.org',
      'unverified@example.org',
      'new@example.net',
    ]);
  });
});
