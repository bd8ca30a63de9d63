import { type ClaimComparisonInput, type ClaimRow, compareClaims, countVerdicts } from './claim-comparison.js';
import type { TicketClaims } from '../tickets/ticket.types.js';
import { DEFAULT_SCORING_CONFIG } from '../scoring/scoring.config.js';
import { account, email, project } from '../scoring/scoring.fixtures.js';

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

const compare = (over: Partial<TicketClaims> = {}, input: Partial<ClaimComparisonInput> = {}) =>
  compareClaims({
    claims: claims(over),
    contactEmail: 'new-address@fresh.example',
    username: 'alice',
    account: account(),
    config: DEFAULT_SCORING_CONFIG,
    ...input,
  });
const row = (rows: ClaimRow[], claimed: string) => {
  const found = rows.find((r) => r.claimed === claimed);
  if (!found) throw new Error(`no row for ${claimed} in ${JSON.stringify(rows)}`);
  return found;
};

describe('compareClaims', () => {
  it('always compares the username, case-insensitively, as a public fact', () => {
    expect(compare()).toEqual([
      { label: 'Username', claimed: 'alice', onFile: 'alice', verdict: 'matches', isPublic: true },
      {
        label: 'Contact address',
        claimed: 'new-address@fresh.example',
        onFile: null,
        verdict: 'not_on_file',
        isPublic: false,
        note: expect.stringContaining('new contact address'),
      },
    ]);
    expect(compare({}, { username: 'Alice' })[0]).toMatchObject({ verdict: 'matches', note: 'usernames compare case-insensitively' });
  });

  it('says what the directory holds of each address: verified, primary, removed, public', () => {
    const rows = compare(
      {
        previousEmails: ['Alice@Public.example', 'old-alice@work.example', 'never@nowhere.example', 'alice.private@mail.example'],
        emailsStillRead: ['alice.private@mail.example'],
      },
      { contactEmail: 'alice.private@mail.example' },
    );
    expect(rows.filter((r) => r.label !== 'Username').map((r) => [r.label, r.claimed, r.verdict])).toEqual([
      ['Contact address', 'alice.private@mail.example', 'matches'],
      ['Previous address', 'Alice@Public.example', 'matches'],
      ['Previous address', 'old-alice@work.example', 'matches'],
      ['Previous address', 'never@nowhere.example', 'contradicts'],
    ]);
    expect(row(rows, 'alice.private@mail.example')).toMatchObject({
      onFile: 'verified, primary, current, never public',
      isPublic: false,
      note: 'knowledge of the address, not proof of control',
    });
    expect(row(rows, 'Alice@Public.example')).toMatchObject({ onFile: 'verified, current, public', isPublic: true });
    expect(row(rows, 'old-alice@work.example')).toMatchObject({
      onFile: 'verified, removed 2022-01-01, never public',
      isPublic: false,
      note: 'cannot receive a one-time code',
    });
    expect(row(rows, 'never@nowhere.example')).toMatchObject({ onFile: 'never on the account', isPublic: false });
  });

  it('labels addresses the requester still reads and marks unverified ones', () => {
    const a = account({ emails: [email('maybe@mail.example', { verified: false })] });
    const rows = compare({ previousEmails: ['maybe@mail.example'], emailsStillRead: ['maybe@mail.example'] }, { account: a });
    expect(row(rows, 'maybe@mail.example')).toMatchObject({ label: 'Address still read', verdict: 'matches', onFile: 'unverified, current, never public' });
  });

  it('reads addresses the same way for a ticket stored before emailsStillRead existed', () => {
    const old = claims({ previousEmails: ['alice@public.example'] });
    delete old.emailsStillRead;
    const rows = compareClaims({ claims: old, contactEmail: 'x@fresh.example', username: 'alice', account: account(), config: DEFAULT_SCORING_CONFIG });
    expect(row(rows, 'alice@public.example')).toMatchObject({ label: 'Previous address', verdict: 'matches' });
  });

  it('notes expired and disposable domains from the scoring config', () => {
    const config = { ...DEFAULT_SCORING_CONFIG, expiredDomains: ['mail.example'] };
    const rows = compare({ previousEmails: ['alice.private@mail.example', 'throw@sub.mailinator.com'] }, { config });
    expect(row(rows, 'alice.private@mail.example')).toMatchObject({
      verdict: 'matches',
      onFile: 'verified, primary, current, never public, expired domain',
      note: expect.stringContaining('expired domain: no evidence'),
    });
    expect(row(rows, 'alice.private@mail.example').note).toContain('cannot receive a one-time code');
    expect(row(rows, 'throw@sub.mailinator.com')).toMatchObject({ verdict: 'contradicts', note: 'on a disposable-mail domain' });
  });

  it('compares projects by their PEP 503 names; project facts are public', () => {
    const rows = compare({ projects: ['fancy-lib', 'FANCY.LIB', 'Other_Tool', 'not-hers'] });
    expect(rows.filter((r) => r.label === 'Project')).toEqual([
      {
        label: 'Project',
        claimed: 'fancy-lib',
        onFile: 'Fancy_Lib (Owner)',
        verdict: 'matches',
        isPublic: true,
        note: 'same name after PEP 503 normalisation (fancy-lib)',
      },
      {
        label: 'Project',
        claimed: 'Other_Tool',
        onFile: 'other-tool (Maintainer)',
        verdict: 'matches',
        isPublic: true,
        note: 'same name after PEP 503 normalisation (other-tool)',
      },
      { label: 'Project', claimed: 'not-hers', onFile: "not one of the account's projects", verdict: 'contradicts', isPublic: true },
    ]);
    expect(
      compare({ projects: ['Fancy_Lib'] }, { account: account({ projects: [project('Fancy_Lib')] }) }).find((r) => r.label === 'Project')?.note,
    ).toBeUndefined();
  });

  it.each([
    ['2018-06', 'matches', undefined],
    ['2018', 'matches', undefined],
    ['2018-03', 'matches', 'close, not exact: 3 months off (within 12, not counted)'],
    ['2015', 'contradicts', '30 months off'],
    ['last year', 'not_on_file', 'not a YYYY or YYYY-MM date: not compared'],
  ])('compares the join date %s with the one on file (public)', (joinedApprox, verdict, note) => {
    const joined = compare({ joinedApprox }).find((r) => r.label === 'Joined');
    expect(joined).toEqual({ label: 'Joined', claimed: joinedApprox, onFile: '2018-06-15', verdict, isPublic: true, ...(note ? { note } : {}) });
  });

  it('compares the second-factor states (not public) and skips "unknown"', () => {
    expect(compare({ has2fa: 'unknown', hasRecoveryCodes: 'unknown' }).map((r) => r.label)).toEqual(['Username', 'Contact address']);
    const rows = compare({ has2fa: 'yes', hasRecoveryCodes: 'yes' }, { account: account({ webauthnKeys: 2, recoveryCodesUnused: 0 }) });
    expect(rows.find((r) => r.label === 'Two-factor authentication')).toEqual({
      label: 'Two-factor authentication',
      claimed: 'yes',
      onFile: 'yes (TOTP, 2 security keys)',
      verdict: 'matches',
      isPublic: false,
    });
    expect(rows.find((r) => r.label === 'Unused recovery codes')).toEqual({
      label: 'Unused recovery codes',
      claimed: 'yes',
      onFile: 'no unused codes',
      verdict: 'contradicts',
      isPublic: false,
    });
    const none = compare({ has2fa: 'no', hasRecoveryCodes: 'no' }, { account: account({ totp: false, recoveryCodesUnused: 3 }) });
    expect(none.find((r) => r.label === 'Two-factor authentication')).toMatchObject({ onFile: 'no', verdict: 'matches' });
    expect(none.find((r) => r.label === 'Unused recovery codes')).toMatchObject({ onFile: 'yes (3 unused)', verdict: 'contradicts' });
  });

  it('shows the linked GitHub identity only when the details name it', () => {
    expect(compare({ details: 'My GitHub is Alice-GH, see there.' }).at(-1)).toEqual({
      label: 'Linked GitHub',
      claimed: 'named in the details',
      onFile: 'alice-gh',
      verdict: 'matches',
      isPublic: true,
    });
    expect(compare({ details: 'alice-ghost' }).some((r) => r.label === 'Linked GitHub')).toBe(false);
  });

  it('marks every claim not on file when there is no such account', () => {
    const rows = compare(
      {
        previousEmails: ['alice@public.example'],
        projects: ['fancy-lib'],
        joinedApprox: '2018',
        has2fa: 'yes',
        hasRecoveryCodes: 'no',
        details: 'alice-gh',
      },
      { account: null },
    );
    expect(rows.map((r) => [r.label, r.verdict, r.onFile, r.isPublic])).toEqual([
      ['Username', 'not_on_file', null, false],
      ['Contact address', 'not_on_file', null, false],
      ['Previous address', 'not_on_file', null, false],
      ['Project', 'not_on_file', null, false],
      ['Joined', 'not_on_file', null, false],
      ['Two-factor authentication', 'not_on_file', null, false],
      ['Unused recovery codes', 'not_on_file', null, false],
    ]);
    expect(rows[0].note).toBe('no account with this username');
  });

  it('counts the verdicts', () => {
    const rows = compare({ previousEmails: ['alice@public.example', 'never@nowhere.example'] });
    expect(countVerdicts(rows)).toEqual({ matches: 2, contradicts: 1, not_on_file: 1 });
  });
});
