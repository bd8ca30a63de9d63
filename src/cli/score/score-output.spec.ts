import { assess } from '../../scoring/assess.js';
import { account, NOW, ticket } from '../../scoring/scoring.fixtures.js';
import { pOwner, priorCurve } from '../../scoring/calibration.js';
import { DEFAULT_SCORING_CONFIG } from '../../scoring/scoring.config.js';
import { problemLines, scoreLine } from './score-output.js';

const prior = priorCurve(DEFAULT_SCORING_CONFIG);

describe('scoreLine', () => {
  it("is one JSON line with the fields in order and the assessment's signals", () => {
    const assessment = assess(ticket({ claims: { has2fa: 'yes', projects: ['fancy-lib'] } }), account(), NOW);
    const text = scoreLine('T-1', assessment, prior);
    expect(text).not.toContain('\n');
    expect(Object.keys(JSON.parse(text))).toEqual([
      'ref',
      'score',
      'band',
      'recommendation',
      'risk_flags',
      'signals',
      'rule_version',
      'shares_version',
      'p_owner',
    ]);
    expect(JSON.parse(text)).toEqual({
      ref: 'T-1',
      score: assessment.score,
      band: assessment.band,
      recommendation: assessment.recommendation,
      risk_flags: assessment.riskFlags,
      signals: assessment.signals,
      rule_version: assessment.ruleVersion,
      shares_version: 'prior',
      p_owner: Number(pOwner(prior, assessment.score).toFixed(4)),
    });
  });

  it('gives p_owner from the curve: higher scores, higher P(owner), never outside 0..1', () => {
    const low = JSON.parse(scoreLine('a', assess(ticket(), null, NOW), prior)) as { score: number; p_owner: number };
    const high = JSON.parse(scoreLine('b', assess(ticket({ claims: { has2fa: 'yes', projects: ['fancy-lib'] } }), account(), NOW), prior)) as {
      score: number;
      p_owner: number;
    };
    expect(low.score).toBeLessThan(high.score);
    expect(low.p_owner).toBeLessThan(high.p_owner);
    expect(low.p_owner).toBeGreaterThan(0);
    expect(high.p_owner).toBeLessThan(1);
  });

  it('escapes what would break a line', () => {
    expect(JSON.parse(scoreLine('a\n"b"', assess(ticket(), null, NOW), prior)).ref).toBe('a\n"b"');
  });
});

describe('problemLines', () => {
  it('gives one FILE:LINE: field: reason line per field, its reasons joined', () => {
    expect(
      problemLines('t.jsonl', 7, [
        { field: 'ref', reasons: ['ref is required'] },
        { field: 'previous_emails', reasons: ['one', 'two'] },
      ]),
    ).toEqual(['t.jsonl:7: ref: ref is required', 't.jsonl:7: previous_emails: one; two']);
  });
});
