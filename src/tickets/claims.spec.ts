import { CLAIM_LIMITS, mergeClaims, mergeOverflow } from './claims.js';
import type { TicketClaims } from './ticket.types.js';

const claims = (over: Partial<TicketClaims> = {}): TicketClaims => ({
  previousEmails: [],
  emailsStillRead: [],
  projects: [],
  joinedApprox: null,
  has2fa: 'unknown',
  hasRecoveryCodes: 'unknown',
  details: '',
  ...over,
});

describe('mergeClaims', () => {
  it('joins lists without duplicates', () => {
    const merged = mergeClaims(
      claims({ previousEmails: ['a@x.org'], projects: ['p1'] }),
      claims({ previousEmails: ['a@x.org', 'b@x.org'], emailsStillRead: ['b@x.org'], projects: ['p2'] }),
    );
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

describe('mergeOverflow', () => {
  const names = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}`);
  const emails = (tag: string, n: number) => names(tag, n).map((n) => `${n}@x.org`);

  it('lets a follow-up through while the merged claims fit one request, repeats counted once', () => {
    const current = claims({ projects: names('p', 60), previousEmails: emails('a', 20), details: 'x'.repeat(10_000) });
    expect(mergeOverflow(current, claims({ projects: names('p', 100), previousEmails: emails('a', 20), details: 'y'.repeat(9_990) }))).toEqual([]);
  });

  it('names each field past its limit with the merged and the current count', () => {
    const current = claims({ projects: names('p', 100), previousEmails: [...emails('a', 18), ...emails('r', 4)], emailsStillRead: emails('r', 4) });
    const later = claims({ projects: ['one-more'], previousEmails: [...emails('b', 3), ...emails('s', 2)], emailsStillRead: emails('s', 2) });
    expect(mergeOverflow(current, later)).toEqual([
      {
        field: 'previous_emails',
        reasons: ['previous_emails would make 21 addresses on your open request, which already lists 18; one request holds at most 20'],
      },
      {
        field: 'emails_still_read',
        reasons: ['emails_still_read would make 6 addresses on your open request, which already lists 4; one request holds at most 5'],
      },
      { field: 'projects', reasons: ['projects would make 101 projects on your open request, which already lists 100; one request holds at most 100'] },
    ]);
  });

  it('counts the details as they would be joined', () => {
    const current = claims({ details: 'x'.repeat(15_000) });
    const [problem] = mergeOverflow(current, claims({ details: 'y'.repeat(5_000) }));
    expect(problem).toEqual({
      field: 'details',
      reasons: ['details would make 20,007 characters on your open request, which already holds 15,000; one request holds at most 20,000'],
    });
    expect(mergeOverflow(current, claims({ details: 'y'.repeat(4_993) }))).toEqual([]);
    expect(mergeOverflow(current, claims({ details: 'y'.repeat(4_994) }))).toHaveLength(1);
  });

  it('every merge stays within the limits, however many follow-ups (mergeClaims cuts what intake would have refused)', () => {
    let merged = claims();
    for (let i = 0; i < 150; i++) {
      merged = mergeClaims(
        merged,
        claims({
          projects: names(`p${i}-`, 100),
          previousEmails: [...emails(`a${i}-`, 20), ...emails(`r${i}-`, 5)],
          emailsStillRead: emails(`r${i}-`, 5),
          details: 'd'.repeat(5_000),
        }),
      );
    }
    expect(merged.projects).toHaveLength(CLAIM_LIMITS.projects);
    expect(merged.emailsStillRead).toHaveLength(CLAIM_LIMITS.emails_still_read);
    expect(merged.previousEmails).toHaveLength(CLAIM_LIMITS.previous_emails + CLAIM_LIMITS.emails_still_read);
    expect(merged.previousEmails).toEqual(expect.arrayContaining(merged.emailsStillRead ?? []));
    expect(merged.details).toHaveLength(CLAIM_LIMITS.details);
    // the first request's claims are the ones kept
    expect(merged.projects).toEqual(names('p0-', 100));
  });
});
