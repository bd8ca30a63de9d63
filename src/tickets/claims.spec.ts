import { mergeClaims } from './claims.js';
import type { TicketClaims } from './ticket.types.js';

const claims = (over: Partial<TicketClaims> = {}): TicketClaims => ({
  previousEmails: [], emailsStillRead: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '', ...over,
});

describe('mergeClaims', () => {
  it('joins lists without duplicates', () => {
    const merged = mergeClaims(claims({ previousEmails: ['a@x.org'], projects: ['p1'] }),
      claims({ previousEmails: ['a@x.org', 'b@x.org'], emailsStillRead: ['b@x.org'], projects: ['p2'] }));
    expect(merged).toMatchObject({ previousEmails: ['a@x.org', 'b@x.org'], emailsStillRead: ['b@x.org'], projects: ['p1', 'p2'] });
  });

  it('keeps a known answer over "unknown" and takes a later known answer', () => {
    expect(mergeClaims(claims({ has2fa: 'yes', joinedApprox: '2016' }), claims()).has2fa).toBe('yes');
    expect(mergeClaims(claims({ has2fa: 'yes', joinedApprox: '2016' }), claims()).joinedApprox).toBe('2016');
    expect(mergeClaims(claims({ has2fa: 'yes' }), claims({ has2fa: 'no' })).has2fa).toBe('no');
    expect(mergeClaims(claims({ hasRecoveryCodes: 'no' }), claims({ hasRecoveryCodes: 'yes' })).hasRecoveryCodes).toBe('yes');
    expect(mergeClaims(claims({ joinedApprox: '2016' }), claims({ joinedApprox: '2017-03' })).joinedApprox).toBe('2017-03');
  });

  it('appends details and reads claims stored before emailsStillRead existed', () => {
    const old = claims({ details: 'first' });
    delete old.emailsStillRead;
    const merged = mergeClaims(old, claims({ details: 'second' }));
    expect(merged.details).toBe('first\n\n---\n\nsecond');
    expect(merged.emailsStillRead).toEqual([]);
    expect(mergeClaims(claims(), claims({ details: 'only' })).details).toBe('only');
  });
});
