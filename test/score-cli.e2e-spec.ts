import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assess } from '../src/scoring/assess.js';
import { pOwner, priorCurve } from '../src/scoring/calibration.js';
import { DEFAULT_SCORING_CONFIG } from '../src/scoring/scoring.config.js';
import { accountRecordOf, type DirectoryRecord } from '../src/cli/score/directory-record.js';

const SCORE = join(process.cwd(), 'dist/cli/score.js');
const NOW = '2026-11-25T12:00:00Z';

function account(username: string, over: Partial<DirectoryRecord> = {}): DirectoryRecord & Record<string, unknown> {
  return {
    username,
    name: username,
    joined_at: '2018-06-15T10:00:00Z',
    last_login_at: null,
    linked_github: `${username}-gh`,
    emails: [
      { address: `${username}@public.example`, verified: true, primary: false, public: true, added_at: '2018-06-15T10:00:00Z', removed_at: null },
      { address: `${username}.private@mail.example`, verified: true, primary: true, public: false, added_at: '2026-11-20T00:00:00Z', removed_at: null },
    ],
    two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
    projects: [{ name: `${username}-lib`, role: 'Owner', monthly_downloads: 1200, first_release_at: '2020-05-01T00:00:00Z' }],
    ...over,
  };
}

function ticket(ref: string, username: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ref,
    username,
    contact_email: 'someone@fresh.example',
    request_type: 'lost_2fa',
    coc_accepted: true,
    delay_acknowledged: true,
    ...over,
  };
}

describe('npm run score (node dist/cli/score.js)', () => {
  let dir: string;
  const accounts = [account('alice'), account('Bob')];
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const run = (...args: string[]) => runWith({}, ...args);
  const runWith = (env: Record<string, string>, ...args: string[]) =>
    spawnSync(process.execPath, [SCORE, ...args], {
      encoding: 'utf8',
      cwd: dir,
      env: { PATH: process.env.PATH, ...env },
    });
  const jsonLines = (stdout: string) =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'score-cli-'));
    file('directory.json', JSON.stringify({ accounts }, null, 1));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON line per ticket, in order, as the scorer scores it', () => {
    const tickets = [
      ticket('t-1', 'ALICE', { contact_email: 'alice.private@mail.example', has_2fa: true, projects: ['alice-lib'], joined_approx: '2018-06' }),
      ticket('t-2', 'bob', { previous_emails: ['bob@public.example', 'nope@else.example'], has_2fa: false }),
      ticket('t-3', 'nobody', { has_2fa: true }),
    ];
    const result = run('--directory', 'directory.json', '--tickets', file('ok.jsonl', `${tickets.map((t) => JSON.stringify(t)).join('\n')}\n`), '--now', NOW);
    expect(result.status).toBe(0);
    const lines = jsonLines(result.stdout);
    expect(lines.map((l) => Object.keys(l))).toEqual(
      Array(3).fill(['ref', 'score', 'band', 'recommendation', 'risk_flags', 'signals', 'rule_version', 'shares_version', 'p_owner']),
    );
    expect(lines.map((l) => l.ref)).toEqual(['t-1', 't-2', 't-3']);

    const now = new Date(NOW);
    const expected = (contactEmail: string, claims: Record<string, unknown>, username: string | null) => {
      const a = assess(
        {
          contactEmail,
          requestType: 'lost_2fa',
          competingRequests: false,
          submittedAt: now,
          claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '', ...claims },
        },
        username ? accountRecordOf(accounts.find((x) => x.username === username)!) : null,
        now,
      );
      // Three accounts are too few for shares of their own: the prior weighs the answers.
      return {
        score: a.score,
        band: a.band,
        recommendation: a.recommendation,
        risk_flags: a.riskFlags,
        signals: a.signals,
        rule_version: a.ruleVersion,
        shares_version: 'prior',
        // No outcomes in the CLI: P(owner) is the prior over the rules' scale.
        p_owner: Number(pOwner(priorCurve(DEFAULT_SCORING_CONFIG), a.score).toFixed(4)),
      };
    };
    expect(lines[0]).toEqual({
      ref: 't-1',
      ...expected('alice.private@mail.example', { has2fa: 'yes', projects: ['alice-lib'], joinedApprox: '2018-06' }, 'alice'),
    });
    expect(lines[1]).toEqual({
      ref: 't-2',
      ...expected('someone@fresh.example', { has2fa: 'no', previousEmails: ['bob@public.example', 'nope@else.example'] }, 'Bob'),
    });
    expect(lines[2]).toMatchObject({ ref: 't-3', score: 0, recommendation: 'deny', risk_flags: ['no_such_account'] });
    // Knowing the private primary counts; no challenge can be passed here, so never approve.
    expect(lines[0]).toMatchObject({ recommendation: 'request_info', risk_flags: expect.arrayContaining(['primary_email_changed_recently']) });
    expect(result.stderr).toMatch(/^scored 3 tickets in \d+\.\d\d s$/m);
  });

  it('scores at --now: a primary address added 5 days before it is a recent change, months before it is not', () => {
    const tickets = file('now.jsonl', `${JSON.stringify(ticket('n', 'alice'))}\n`);
    const at = (now: string) => jsonLines(run('-d', 'directory.json', '-t', tickets, '--now', now).stdout)[0].risk_flags;
    expect(at(NOW)).toContain('primary_email_changed_recently');
    expect(at('2027-06-01')).not.toContain('primary_email_changed_recently');
  });

  it("scores with the server's EXPIRED_DOMAINS and HIGH_VALUE_MONTHLY_DOWNLOADS, and refuses bad ones", () => {
    const tickets = file('env.jsonl', `${JSON.stringify(ticket('v', 'alice', { previous_emails: ['alice@public.example'] }))}\n`);
    const flags = (env: Record<string, string>) => jsonLines(runWith(env, '-d', 'directory.json', '-t', tickets, '--now', NOW).stdout)[0].risk_flags;
    expect(flags({})).not.toEqual(expect.arrayContaining(['expired_domain']));
    expect(flags({})).not.toEqual(expect.arrayContaining(['high_value_account']));
    expect(flags({ EXPIRED_DOMAINS: 'public.example', HIGH_VALUE_MONTHLY_DOWNLOADS: '1000' })).toEqual(
      expect.arrayContaining(['expired_domain', 'high_value_account']),
    );
    const bad = runWith({ EXPIRED_DOMAINS: 'not a domain' }, '-d', 'directory.json', '-t', tickets);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^Invalid environment: EXPIRED_DOMAINS=/m);
    expect(bad.stdout).toBe('');
  });

  it('reports a bad line on stderr as FILE:LINE: field: reason, skips it, scores the rest and exits 1', () => {
    const lines = [
      JSON.stringify(ticket('a', 'alice')),
      JSON.stringify(ticket('b', 'alice', { contact_email: 'not-an-address', extra: 1 })),
      '',
      '{"ref": "c", ',
      JSON.stringify({ ...ticket('d', 'bob'), ref: undefined }),
      JSON.stringify(ticket('a', 'bob')),
      JSON.stringify(ticket('e', 'bob')),
    ];
    file('bad.jsonl', lines.join('\r\n'));
    const result = run('-d', 'directory.json', '-t', 'bad.jsonl', '--now', NOW);
    expect(result.status).toBe(1);
    expect(jsonLines(result.stdout).map((l) => l.ref)).toEqual(['a', 'e']);
    const problems = result.stderr.split('\n').filter((l) => l.startsWith('bad.jsonl:'));
    expect(problems).toEqual([
      'bad.jsonl:2: extra: is not an accepted field',
      'bad.jsonl:2: contact_email: contact_email must be an e-mail address such as name@example.org (no quotes, commas, spaces or angle brackets)',
      expect.stringMatching(/^bad\.jsonl:4: body: not valid JSON: /),
      'bad.jsonl:5: ref: ref is required',
      'bad.jsonl:6: ref: "a" appears twice (first on line 1)',
    ]);
    expect(result.stderr).toMatch(/^scored 2 tickets in \d+\.\d\d s; 4 bad lines skipped$/m);
  });

  it('refuses a bad directory file with its problems and scores nothing', () => {
    const bad = file('bad-directory.json', JSON.stringify({ accounts: [account('alice'), { ...account('carol'), joined_at: 'last year' }] }, null, 1));
    const result = run('-d', bad, '-t', file('one.jsonl', JSON.stringify(ticket('x', 'alice'))));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`Refused ${bad}: no ticket was scored.`);
    expect(result.stderr).toMatch(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: accounts\\[1\\]\\.joined_at: joined_at must be an ISO 8601 date-time`),
    );
  });

  it('says what is wrong with the arguments, shows the usage and exits 2', () => {
    for (const args of [[], ['-d', 'directory.json'], ['-d', 'directory.json', '-t', 'x.jsonl', '--now', 'tomorrow'], ['--verbose']]) {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('Usage: npm run --silent score -- --directory DIR.json --tickets TICKETS.jsonl [--now ISO]');
    }
    expect(run('-d', 'directory.json').stderr.split('\n')[0]).toBe('--tickets is required');
  });

  it('prints its usage for --help and exits 0', () => {
    const result = run('--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--now ISO');
    expect(result.stderr).toBe('');
  });

  it("reads p_owner with the desk's curve from the report's calibration download (--calibration), and refuses a file without the CLI's rules", () => {
    const tickets = file('cal.jsonl', `${JSON.stringify(ticket('c-1', 'alice', { contact_email: 'alice.private@mail.example', has_2fa: true }))}\n`);
    const curve = { intercept: -1.2, slope: 0.13, center: 20 };
    const row = {
      rule_version: DEFAULT_SCORING_CONFIG.ruleVersion,
      decided: 400,
      basis: 'calibrated',
      calibration_version: 3,
      calibration_outcomes: 400,
      ...curve,
    };
    const download = file('calibration.json', JSON.stringify({ table: 'calibration', rows: [row] }));
    const withCurve = run('-d', 'directory.json', '-t', tickets, '--now', NOW, '--calibration', download);
    expect(withCurve.status).toBe(0);
    const [line] = jsonLines(withCurve.stdout);
    expect(line.p_owner).toBe(Number(pOwner({ method: 'logistic', ...curve }, line.score as number).toFixed(4)));
    expect(line.p_owner).not.toBe(Number(pOwner(priorCurve(DEFAULT_SCORING_CONFIG), line.score as number).toFixed(4)));
    expect(withCurve.stderr).toContain(`p_owner from calibration version 3 (400 decided tickets, rules ${DEFAULT_SCORING_CONFIG.ruleVersion})`);
    expect(run('-d', 'directory.json', '-t', tickets, '--now', NOW).stderr).toContain(`p_owner from the prior for rules ${DEFAULT_SCORING_CONFIG.ruleVersion}`);

    const other = file('other.json', JSON.stringify({ table: 'calibration', rows: [{ ...row, rule_version: '2026.12.1' }] }));
    const refused = run('-d', 'directory.json', '-t', tickets, '--calibration', other);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `Refused ${other}: no row for rules ${DEFAULT_SCORING_CONFIG.ruleVersion}, the rules this CLI scores with; no ticket was scored.`,
    );
  });

  it('exits 1 when a file cannot be read', () => {
    const result = run('-d', 'directory.json', '-t', 'missing.jsonl');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cannot read missing\.jsonl: ENOENT/);
  });
});
