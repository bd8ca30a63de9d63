import { againstRecommendation, checkOverride, MIN_OVERRIDE_REASON } from './approval-guard.js';

const at = new Date('2026-12-01T10:00:00Z');
const assessed = (recommendation: 'approve' | 'request_info' | 'deny', band: 'strong' | 'moderate' | 'weak' | 'insufficient', score: number) => ({
  recommendation,
  band,
  score,
  assessedAt: at,
});
const REASON = 'The owner phoned from the number on the company page.';

describe('againstRecommendation', () => {
  it.each([
    ['approve', 'strong', 90, false],
    ['request_info', 'moderate', 60, false],
    ['request_info', 'strong', 80, false],
    ['request_info', 'weak', 40, true],
    ['request_info', 'insufficient', 10, true],
    ['deny', 'insufficient', 0, true],
    ['deny', 'moderate', 55, true],
  ] as const)('%s in the %s band (score %d): against = %s', (recommendation, band, score, against) => {
    expect(againstRecommendation({ recommendation, band, score }) !== null).toBe(against);
  });
});

describe('checkOverride', () => {
  it('refuses a ticket that was never assessed, whoever asks', () => {
    for (const role of ['moderator', 'senior', 'admin']) {
      expect(checkOverride({ recommendation: null, band: null, score: null, assessedAt: null }, role, REASON)).toEqual({
        ok: false,
        message: 'The evidence has not been assessed yet: approval waits for the assessment.',
      });
    }
  });

  it('lets any deciding role approve with the recommendation, no reason needed', () => {
    expect(checkOverride(assessed('approve', 'strong', 90), 'moderator', null)).toEqual({ ok: true, against: null });
    expect(checkOverride(assessed('request_info', 'moderate', 60), 'admin', null)).toEqual({ ok: true, against: null });
  });

  it('an override needs a senior', () => {
    for (const role of ['moderator', 'admin', 'ops']) {
      const check = checkOverride(assessed('deny', 'insufficient', 0), role, REASON);
      expect(check).toEqual({ ok: false, message: expect.stringContaining('takes a senior moderator') });
    }
  });

  it('an override needs a written reason of the minimum length', () => {
    const short = 'x'.repeat(MIN_OVERRIDE_REASON - 1);
    for (const reason of [null, '', '   ', short, `  ${short}  `]) {
      expect(checkOverride(assessed('deny', 'insufficient', 0), 'senior', reason)).toEqual({ ok: false, message: expect.stringContaining('written reason') });
    }
    expect(checkOverride(assessed('request_info', 'weak', 35), 'senior', REASON)).toEqual({
      ok: true,
      against: 'the assessment asks for more information and the score (35) is in the weak band',
    });
  });
});
