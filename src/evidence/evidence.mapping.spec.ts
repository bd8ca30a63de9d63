import type { Account, AccountEmail, AccountProject } from '../directory/account.entity.js';
import type { Ticket } from '../tickets/ticket.entity.js';
import { toTicketEvidence } from './evidence.mapping.js';
import { toAccountRecord } from '../directory/account.repository.js';

const joined = new Date('2019-01-02T03:04:05Z');

function entity(over: Partial<Account> = {}): Account {
  const emails = [
    {
      id: 'e1',
      accountId: 'a1',
      address: 'Bob@Mail.example',
      addressKey: 'bob@mail.example',
      verified: true,
      primary: true,
      public: false,
      addedAt: joined,
      removedAt: null,
    } satisfies AccountEmail,
  ];
  const projects = [
    {
      id: 'p1',
      accountId: 'a1',
      name: 'Bob_Lib',
      nameKey: 'bob-lib',
      role: 'Owner',
      monthlyDownloads: '1234' as unknown as number,
      firstReleaseAt: null,
      repositoryUrl: 'https://github.com/Bob/Bob_Lib.git',
      trustedPublishers: [{ provider: 'github', repository: 'Bob/Bob_Lib', workflow: 'release.yml', environment: 'pypi' }],
    } satisfies AccountProject,
  ];
  return {
    id: 'a1',
    username: 'Bob',
    usernameKey: 'bob',
    name: '',
    joinedAt: joined,
    lastLoginAt: null,
    linkedGithub: 'bob-gh',
    linkedGithubId: 583231,
    totpEnabled: true,
    webauthnKeys: 1,
    recoveryCodesUnused: 4,
    importHash: null,
    passwordHash: null,
    passwordChangedAt: null,
    emails,
    projects,
    ...over,
  };
}

describe('toAccountRecord', () => {
  it('copies the fields the scorer reads', () => {
    expect(toAccountRecord(entity())).toEqual({
      username: 'Bob',
      joinedAt: joined,
      totp: true,
      webauthnKeys: 1,
      recoveryCodesUnused: 4,
      linkedGithub: 'bob-gh',
      linkedGithubId: 583231,
      emails: [{ address: 'Bob@Mail.example', verified: true, primary: true, public: false, addedAt: joined, removedAt: null }],
      projects: [
        {
          name: 'Bob_Lib',
          role: 'Owner',
          monthlyDownloads: 1234,
          firstReleaseAt: null,
          repositoryKey: 'github.com/bob/bob_lib',
          trustedPublishers: [{ provider: 'github', repository: 'Bob/Bob_Lib', workflow: 'release.yml', environment: 'pypi' }],
        },
      ],
    });
  });

  it('refuses an account loaded without its relations', () => {
    expect(() => toAccountRecord(entity({ emails: undefined }))).toThrow(/relations/);
    expect(() => toAccountRecord(entity({ projects: undefined }))).toThrow(/relations/);
  });
});

describe('toTicketEvidence', () => {
  const claims = {
    previousEmails: ['x@y.example'],
    projects: [],
    joinedApprox: null,
    has2fa: 'no' as const,
    hasRecoveryCodes: 'unknown' as const,
    details: '',
  };
  const ticket = { contactEmail: 'c@d.example', requestType: 'lost_2fa', claims, competing: true, createdAt: joined } as Partial<Ticket> as Ticket;

  it('maps the ticket and adds passed challenges when given', () => {
    expect(toTicketEvidence(ticket)).toEqual({
      contactEmail: 'c@d.example',
      requestType: 'lost_2fa',
      claims,
      competingRequests: true,
      coordinatedRequests: false,
      submittedAt: joined,
    });
    expect(toTicketEvidence(ticket, {}, true).coordinatedRequests).toBe(true);
    expect(toTicketEvidence(ticket, { repoChallengePassed: { project: 'p' } }).repoChallengePassed).toEqual({ project: 'p' });
  });
});
