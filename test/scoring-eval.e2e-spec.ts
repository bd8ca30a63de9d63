import { usernameKey } from '../src/common/normalize.js';
import { parseDirectoryFile } from '../src/directory/directory-file.js';
import { AIMS, checkCalibration, evaluateScoring, formatCalibrationTable, formatReport, rocAuc } from './fixtures/eval-scoring.js';
import {
  CASE_KINDS,
  type CaseKind,
  DEFAULT_MIX,
  directoryFileOf,
  generateScoringCases,
  IMPOSTOR_KINDS,
  kindCounts,
  type Mix,
  normaliseMix,
  parseMix,
  ticketJsonOf,
  WORLDS,
} from './fixtures/scoring-cases.js';
import { DEFAULT_SCORING_CONFIG } from '../src/scoring/scoring.config.js';
import { accountRecordOf } from '../src/cli/score/directory-record.js';
import { parseTicketLine } from '../src/cli/score/ticket-line.js';

const IMPOSTOR_HEAVY: Mix = { genuine: 0.2, impostor_public: 0.3, impostor_leaked: 0.25, impostor_naive: 0.15, no_such_account: 0.1 };
const GENUINE_HEAVY: Mix = { genuine: 0.7, impostor_public: 0.1, impostor_leaked: 0.1, impostor_naive: 0.05, no_such_account: 0.05 };
/** Half the impostors hold a leaked private address, and none is naive: the hardest mix we know. */
const LEAK_HEAVY: Mix = { genuine: 0.2, impostor_public: 0.4, impostor_leaked: 0.4, impostor_naive: 0, no_such_account: 0 };
const SEEDS = [1, 2, 3];
/** 10,000 cases a run: the AUC moves by about ±0.005 between seeds there (more on LEAK_HEAVY, with few owners). */
const CASES = 10_000;
const RUNS = SEEDS.flatMap((seed) =>
  (
    [
      ['default', DEFAULT_MIX],
      ['impostor-heavy', IMPOSTOR_HEAVY],
      ['genuine-heavy', GENUINE_HEAVY],
    ] as const
  ).map(([name, mix]) => ({ seed, name, mix })),
);

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and ½ for all ties', () => {
    expect(rocAuc([5, 6], [1, 2, 3])).toBe(1);
    expect(rocAuc([1], [5, 6])).toBe(0);
    expect(rocAuc([3, 3], [3, 3, 3])).toBe(0.5);
  });

  it('counts ties half', () => {
    // Pairs: 1<2 → 0, 1>0 → 1, 2=2 → ½, 2>0 → 1, 3>2 → 1, 3>0 → 1: 4.5 of 6.
    expect(rocAuc([1, 2, 3], [2, 0])).toBe(0.75);
  });

  it('equals the share of winning pairs on random scores', () => {
    let state = 7;
    const next = () => (state = (state * 48271) % 2147483647) % 12;
    const pos = Array.from({ length: 57 }, next);
    const neg = Array.from({ length: 43 }, next);
    let wins = 0;
    for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
    expect(rocAuc(pos, neg)).toBeCloseTo(wins / (pos.length * neg.length), 12);
  });

  it('is null without positives or negatives', () => {
    expect(rocAuc([], [1])).toBeNull();
    expect(rocAuc([1], [])).toBeNull();
  });
});

describe('the mix', () => {
  it('parses KIND=SHARE lists, normalised, missing kinds 0', () => {
    expect(parseMix('genuine=3, impostor_public=1')).toEqual({
      genuine: 0.75,
      impostor_public: 0.25,
      impostor_leaked: 0,
      impostor_naive: 0,
      no_such_account: 0,
    });
  });

  it.each(['genuine', 'genuine=x', 'robot=1', 'genuine=1,genuine=2', 'genuine=0', 'genuine=-1'])('refuses %j', (text) => {
    expect(() => parseMix(text)).toThrow();
  });

  it('gives counts that add up exactly', () => {
    const counts = kindCounts(1001, normaliseMix({ genuine: 1, impostor_public: 1, impostor_leaked: 1 }));
    expect(Object.values(counts).reduce((a, b) => a + b)).toBe(1001);
    expect(counts).toEqual({ genuine: 334, impostor_public: 334, impostor_leaked: 333, impostor_naive: 0, no_such_account: 0 });
  });
});

describe('generateScoringCases', () => {
  const set = generateScoringCases({ seed: 11, count: 1500, accounts: 400 });
  const byKey = new Map(set.accounts.map((a) => [usernameKey(a.username), a]));
  const ofKind = (kind: CaseKind) => set.cases.filter((c) => c.kind === kind);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateScoringCases({ seed: 11, count: 1500, accounts: 400 })).toEqual(set);
    const other = generateScoringCases({ seed: 12, count: 1500, accounts: 400 });
    expect(other.cases.map((c) => c.ticket)).not.toEqual(set.cases.map((c) => c.ticket));
  });

  it('follows the mix', () => {
    const counts = kindCounts(1500, set.mix);
    for (const kind of CASE_KINDS) expect(ofKind(kind)).toHaveLength(counts[kind]);
    expect(set.accounts).toHaveLength(400);
  });

  it('names an existing account in every case but no_such_account', () => {
    for (const c of set.cases) expect(byKey.has(usernameKey(c.username))).toBe(c.kind !== 'no_such_account');
  });

  it('lets no impostor pass a challenge, and some owners pass one', () => {
    for (const c of set.cases.filter((x) => x.kind !== 'genuine')) {
      expect(c.ticket.emailChallengePassed ?? c.ticket.repoChallengePassed).toBeUndefined();
    }
    expect(ofKind('genuine').some((c) => c.notes.challenge !== 'none')).toBe(true);
    expect(ofKind('genuine').some((c) => c.notes.challenge === 'none')).toBe(true);
  });

  it('gives public impostors only public addresses, and leaked ones exactly one more, never public', () => {
    for (const kind of ['impostor_public', 'impostor_leaked'] as const) {
      for (const c of ofKind(kind)) {
        const account = byKey.get(usernameKey(c.username))!;
        const secret = c.ticket.claims.previousEmails.filter((address) => !account.emails.some((e) => e.public && e.address.toLowerCase() === address));
        expect(secret).toHaveLength(kind === 'impostor_leaked' ? 1 : 0);
        if (kind === 'impostor_leaked') expect(account.emails.some((e) => e.address.toLowerCase() === secret[0])).toBe(true);
      }
    }
  });

  it('writes a directory the import accepts and tickets the API accepts, read back unchanged', () => {
    const parsed = parseDirectoryFile(JSON.stringify(directoryFileOf(set.accounts), null, 1));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.accounts.map(accountRecordOf)).toEqual(set.accounts);
    for (const c of set.cases) {
      const line = parseTicketLine(JSON.stringify(ticketJsonOf(c)), set.now);
      if (!line.ok) throw new Error(`${c.id}: ${JSON.stringify(line.errors)}`);
      const { emailChallengePassed: _e, repoChallengePassed: _r, ...withoutProofs } = c.ticket;
      // A subset: intake may add claims the generator does not make (emailsStillRead).
      expect(line).toMatchObject({ ref: c.id, username: c.username, ticket: withoutProofs });
    }
  });
});

describe.each(RUNS)('the scorer on seed $seed, $name mix', ({ seed, mix }) => {
  const report = evaluateScoring(generateScoringCases({ seed, count: CASES, mix }));
  const check = (prefix: string) => report.checks.find((c) => c.aim.startsWith(prefix))!;

  it('approves no impostor who knows only public facts', () => {
    expect(check('no impostor_public approved')).toMatchObject({ status: 'PASS' });
  });

  it(`approves at most ${AIMS.maxImpostorsApproved * 100}% of impostors`, () => {
    expect(check('impostors approved')).toMatchObject({ status: 'PASS' });
    const impostors = report.kinds.filter((k) => IMPOSTOR_KINDS.includes(k.name as CaseKind));
    expect(impostors.reduce((sum, k) => sum + k.recommendations.approve, 0)).toBe(0);
  });

  it(`denies at most ${AIMS.maxGenuineDenied * 100}% of owners`, () => {
    expect(check('genuine denied')).toMatchObject({ status: 'PASS' });
  });

  // Today 0.912–0.930 on these mixes over seeds 1–10 at this size.
  it(`ranks owners above impostors as the aim asks (AUC ≥ ${AIMS.minAuc})`, () => {
    expect(check('ROC AUC')).toMatchObject({ status: 'PASS' });
    // …and above the naive impostors and requests for accounts that do not exist nearly always.
    for (const kind of ['impostor_naive', 'no_such_account'] as const) {
      expect(report.aucByKind.find((k) => k.kind === kind)!.auc).toBeGreaterThanOrEqual(0.97);
    }
  });

  it("weighs the answers against the generated directory's own shares, at which no blind yes/no guess pays", () => {
    expect(check('no blind yes/no guess pays')).toMatchObject({ status: 'PASS' });
    expect(report.shares.version).toMatch(/^d\d+-2fa\d+-rc\d+$/);
    expect(report.shares.secondFactor).toBeCloseTo(DEFAULT_SCORING_CONFIG.guessBaseRates.secondFactor, 1);
  });

  it('prints every aim with its verdict', () => {
    const text = formatReport(report);
    expect(text).toMatch(/ROC AUC, genuine vs impostor_public \+ impostor_leaked \+ impostor_naive .*: 0\.\d{4}/);
    for (const c of report.checks) expect(text).toContain(`${c.status}  ${c.aim}`);
  });
});

describe.each(['few2fa', 'pypi'] as const)('the scorer in the %s world (seed 1)', (name) => {
  const report = evaluateScoring(generateScoringCases({ seed: 1, count: CASES, world: WORLDS[name] }));
  const check = (prefix: string) => report.checks.find((c) => c.aim.startsWith(prefix))!;

  it("weighs the answers against that world's shares, not the configured prior", () => {
    const expected = { few2fa: 0.45, pypi: 0.93 }[name];
    expect(report.shares.secondFactor).toBeCloseTo(expected, 1);
    expect(check('no blind yes/no guess pays')).toMatchObject({ status: 'PASS' });
  });

  it('approves no impostor and denies at most 10% of owners, with and without their challenges', () => {
    for (const prefix of ['no impostor_public approved', 'impostors approved', 'genuine denied']) expect(check(prefix)).toMatchObject({ status: 'PASS' });
    expect(report.genuineDeniedKnowledgeOnly).toBeLessThanOrEqual(AIMS.maxGenuineDenied);
  });

  // few2fa meets the aim (0.935 at 20,000 cases). The pypi world (93% with 2FA, owners who remember 40%
  // less, a quarter of the impostors holding a leaked address) does not: 0.864 at 20,000 cases
  // (docs/evidence.md, "Worlds"). A guard against getting worse there, not a claim that it is good.
  it(name === 'few2fa' ? `meets the AUC aim (≥ ${AIMS.minAuc})` : 'keeps the AUC at least where rules 2026.12.3 put it (≥ 0.85)', () => {
    expect(report.auc).toBeGreaterThanOrEqual(name === 'few2fa' ? AIMS.minAuc : 0.85);
  });
});

describe.each(SEEDS)('the scorer on seed %i, leak-heavy mix', (seed) => {
  const report = evaluateScoring(generateScoringCases({ seed, count: CASES, mix: LEAK_HEAVY }));

  // Owners who proved nothing and remember no private address can only be told from an impostor holding
  // one leaked address by their 2FA and recovery-code answers (see the README): here the AUC is 0.889–0.909
  // over seeds 1–10 at this size, and 0.894–0.906 at 20,000. A guard against getting worse.
  it('keeps the AUC near the aim where half the impostors hold a leaked private address (≥ 0.88)', () => {
    expect(report.auc).toBeGreaterThanOrEqual(0.88);
    expect(report.aucByKind.find((k) => k.kind === 'impostor_leaked')!.auc).toBeGreaterThanOrEqual(0.85);
  });

  it('still approves no impostor and denies few owners', () => {
    for (const prefix of ['no impostor_public approved', 'impostors approved', 'genuine denied']) {
      expect(report.checks.find((c) => c.aim.startsWith(prefix))).toMatchObject({ status: 'PASS' });
    }
  });
});

describe.each(['base', 'few2fa'] as const)('P(owner) on generated outcomes in the %s world (seed 1)', (name) => {
  const check = checkCalibration(evaluateScoring(generateScoringCases({ seed: 1, count: CASES, world: WORLDS[name] })));

  // At 20,000 cases the fitted curve is off by 0.018 (base) and 0.035 (few2fa) on the held-out half, the
  // prior by 0.17 and 0.15 (docs/evidence.md, "On generated outcomes"). Guards, with room for the smaller set.
  it('fits a rising curve on half the cases that is calibrated on the other half (error ≤ 0.06), and better than the prior', () => {
    expect(check.fitted.slope).toBeGreaterThan(0);
    expect(check.heldOut).toBe(CASES / 2);
    expect(check.fit.error).toBeLessThanOrEqual(0.06);
    expect(check.fit.error!).toBeLessThan(check.prior.error!);
    expect(check.fit.brier!).toBeLessThan(check.prior.brier!);
    const populated = check.fit.bins.filter((b) => b.tickets >= 200);
    expect(populated.length).toBeGreaterThanOrEqual(4);
    // Two parameters cannot follow every step of the score (the knowledge-only cap piles tickets at 65): a
    // tenth can be off by up to 0.16 at this size (few2fa, 0.6–0.7); the prior is off by up to 0.34.
    for (const bin of populated) expect(Math.abs(bin.meanPredicted! - bin.observed!)).toBeLessThan(0.2);
  });

  it('prints predicted against observed for every tenth', () => {
    const text = formatCalibrationTable([check]);
    expect(text).toContain(`World ${name}: fit on ${CASES / 2} outcomes`);
    for (let i = 0; i < 10; i++) expect(text).toContain(`| ${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)} |`);
  });
});
