import { configuredShares, DEFAULT_SCORING_CONFIG as C } from '../scoring.config.js';
import { NOW, account, email, ticket } from '../scoring.fixtures.js';
import { emailKnowledgeRule } from './email-knowledge.rule.js';

const run = (t = ticket(), a = account(), config = C) => emailKnowledgeRule({ ticket: t, account: a, config, now: NOW, shares: configuredShares(C) });
const total = (r: ReturnType<typeof run>) => r.signals.reduce((s, x) => s + x.effect, 0);

describe('emailKnowledgeRule', () => {
  it('gives nothing for a contact address that is not on file', () => {
    expect(run().signals).toEqual([]);
  });

  it('gives near zero for a public address', () => {
    const r = run(ticket({ claims: { previousEmails: ['Alice@Public.example'] } }));
    expect(r.signals).toHaveLength(1);
    expect(r.signals[0]).toMatchObject({ kind: 'public', effect: C.weights.publicEmailKnown });
  });

  it('counts a claimed verified never-public address as knowledge, and a current verified one as the contact address more (mail goes there; not proof)', () => {
    const claimed = run(ticket({ claims: { previousEmails: ['alice.private@mail.example'] } }));
    const contact = run(ticket({ contactEmail: 'ALICE.private@mail.example' }));
    expect(total(claimed)).toBe(C.weights.privateEmailKnown);
    expect(total(contact)).toBe(C.weights.contactOnFile);
    expect(C.weights.contactOnFile).toBeGreaterThan(C.weights.privateEmailKnown);
    expect(contact.signals[0]).toMatchObject({ kind: 'private' });
    expect(contact.signals[0].reason).toContain('not proof');
    // A public address as contact counts too: naming it only sends the requester's mail to the owner.
    expect(total(run(ticket({ contactEmail: 'alice@public.example' })))).toBe(C.weights.contactOnFile);
    // A removed one does not: nobody reads it for the account any more.
    expect(total(run(ticket({ contactEmail: 'old-alice@work.example' })))).toBe(C.weights.removedEmailKnown);
  });

  it('does not count knowing an address whose control a code proved (the challenge counts it)', () => {
    const proven = run(ticket({ contactEmail: 'alice.private@mail.example', emailChallengePassed: { address: 'Alice.Private@mail.example' } }));
    expect(total(proven)).toBe(0);
    expect(proven.signals[0]).toMatchObject({ kind: 'info', reason: expect.stringContaining('not twice') });
    // a challenge that does not count (removed address) leaves the knowledge in place
    const removed = run(ticket({ claims: { previousEmails: ['old-alice@work.example'] }, emailChallengePassed: { address: 'old-alice@work.example' } }));
    expect(total(removed)).toBe(C.weights.removedEmailKnown);
  });

  it('counts a removed non-public address, less than a current one', () => {
    const r = run(ticket({ claims: { previousEmails: ['old-alice@work.example'] } }));
    expect(total(r)).toBe(C.weights.removedEmailKnown);
    expect(C.weights.removedEmailKnown).toBeLessThan(C.weights.privateEmailKnown);
  });

  it('treats an address that was ever public as public, even if another row is not', () => {
    const a = account({ emails: [email('x@y.example', { public: true, removedAt: new Date('2020-01-01Z') }), email('x@y.example')] });
    expect(run(ticket({ claims: { previousEmails: ['x@y.example'] } }), a).signals[0]).toMatchObject({ kind: 'public' });
  });

  it('counts an unverified non-public address a little', () => {
    const a = account({ emails: [email('u@y.example', { verified: false })] });
    expect(total(run(ticket({ claims: { previousEmails: ['u@y.example'] } }), a))).toBe(C.weights.unverifiedEmailKnown);
  });

  it('calls a claimed address the account never had a contradiction', () => {
    const r = run(ticket({ claims: { previousEmails: ['nobody@else.example'] } }));
    expect(r.signals).toEqual([expect.objectContaining({ kind: 'contradiction', effect: -C.weights.contradiction })]);
  });

  it('counts each address once and caps private knowledge, the corroboration bonus outside the cap', () => {
    // One more address than the cap holds, each claimed twice (the first also as the contact address,
    // which counts outside the cap).
    const names = Array.from({ length: Math.ceil(C.weights.privateEmailCap / C.weights.privateEmailKnown) + 2 }, (_, i) => `a${i}@p.example`);
    const a = account({ emails: names.map((n) => email(n)) });
    const r = run(ticket({ contactEmail: names[0], claims: { previousEmails: [...names, ...names] } }), a);
    expect(r.signals).toHaveLength(names.length + 1);
    expect(total(r)).toBe(C.weights.contactOnFile + C.weights.privateEmailCap + C.weights.corroboratedEmails);
  });

  it('adds the corroboration bonus once for two verified non-public addresses, current or removed', () => {
    const both = run(ticket({ contactEmail: 'alice.private@mail.example', claims: { previousEmails: ['old-alice@work.example'] } }));
    expect(total(both)).toBe(C.weights.contactOnFile + C.weights.removedEmailKnown + C.weights.corroboratedEmails);
    expect(both.signals.at(-1)).toMatchObject({
      kind: 'private',
      effect: C.weights.corroboratedEmails,
      reason: expect.stringContaining('2 verified non-public'),
    });
  });

  it('gives no corroboration bonus for one secret beside a public or an unverified address', () => {
    const withPublic = run(ticket({ claims: { previousEmails: ['alice.private@mail.example', 'alice@public.example'] } }));
    expect(total(withPublic)).toBe(C.weights.privateEmailKnown + C.weights.publicEmailKnown);
    const a = account({ emails: [email('s@p.example'), email('u@p.example', { verified: false })] });
    expect(total(run(ticket({ claims: { previousEmails: ['s@p.example', 'u@p.example'] } }), a))).toBe(
      C.weights.privateEmailKnown + C.weights.unverifiedEmailKnown,
    );
  });

  it('does not count an address proven by a code towards corroboration', () => {
    const r = run(
      ticket({
        contactEmail: 'alice.private@mail.example',
        emailChallengePassed: { address: 'alice.private@mail.example' },
        claims: { previousEmails: ['old-alice@work.example'] },
      }),
    );
    expect(total(r)).toBe(C.weights.removedEmailKnown);
  });

  it('caps public knowledge', () => {
    const a = account({ emails: ['a', 'b', 'c', 'd'].map((n) => email(`${n}@p.example`, { public: true })) });
    const r = run(ticket({ claims: { previousEmails: ['a@p.example', 'b@p.example', 'c@p.example', 'd@p.example'] } }), a);
    expect(total(r)).toBe(C.weights.publicEmailCap);
  });

  it('excludes and flags an address on an expired domain', () => {
    const config = { ...C, expiredDomains: ['mail.example'] };
    const r = run(ticket({ claims: { previousEmails: ['alice.private@mail.example'] } }), account(), config);
    expect(total(r)).toBe(0);
    expect(r.riskFlags).toContain('expired_domain');
  });

  it('masks addresses in reasons', () => {
    const r = run(ticket({ claims: { previousEmails: ['alice.private@mail.example'] } }));
    expect(r.signals[0].reason).not.toContain('alice.private');
    expect(r.signals[0].reason).toContain('a***@mail.example');
  });
});
