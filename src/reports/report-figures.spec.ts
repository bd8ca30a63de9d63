import { backlogRows, dayRows, moderatorRows, slaRows } from './report-figures.js';
import type { DecisionRow } from './report-queries.js';
import { parseReportRange, type ReportRange } from './report-range.js';

const H = 3_600_000;
const bucketOf = (iso: string) => Date.parse(iso) / 900_000;

function range(query: Record<string, string>): ReportRange {
  const parsed = parseReportRange(query, new Date('2026-11-25T12:00:00Z'), 'UTC');
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.range;
}

describe('report figures', () => {
  it('places counts on local days and walks the open count forward', () => {
    const r = range({ from: '2026-03-28', to: '2026-03-30', tz: 'Asia/Kolkata' });
    // 19:00 UTC on the 28th is 00:30 on the 29th in Kolkata (UTC+5:30).
    const received = [{ type: 'lost_2fa' as const, bucket: bucketOf('2026-03-28T19:00:00Z'), n: 2 }];
    const outcomes = [
      { type: 'lost_2fa' as const, outcome: 'denied' as const, bucket: bucketOf('2026-03-28T18:15:00Z'), n: 1 },
      { type: 'lost_2fa' as const, outcome: 'withdrawn' as const, bucket: bucketOf('2026-03-30T10:00:00Z'), n: 1 },
    ];
    const moves = [
      { bucket: bucketOf('2026-03-28T18:15:00Z'), n: -1 },
      { bucket: bucketOf('2026-03-30T10:00:00Z'), n: -1 },
    ];
    expect(dayRows(r, received, outcomes, 5, moves)).toEqual([
      { day: '2026-03-28', received: 0, decided: 1, open_at_end: 4 },
      { day: '2026-03-29', received: 2, decided: 0, open_at_end: 6 },
      { day: '2026-03-30', received: 0, decided: 0, open_at_end: 5 },
    ]);
  });

  it('counts decisions per moderator, ignoring closings nobody decided and handling times not known', () => {
    const d = (decidedBy: string | null, outcome: 'approved' | 'denied', handlingMs: number | null, met: boolean | null): DecisionRow => ({
      type: 'lost_2fa',
      outcome,
      ms: H,
      met,
      decidedBy,
      handlingMs,
    });
    expect(
      moderatorRows([
        d('moderator:zed', 'approved', 3 * H, true),
        d('moderator:amy', 'denied', null, true),
        d('moderator:zed', 'denied', H, false),
        d(null, 'denied', H, true),
        d('moderator:amy', 'approved', 2 * H, null),
      ]),
    ).toEqual([
      { moderator: 'amy', decisions: 2, approved: 1, denied: 1, median_handling_ms: 2 * H, decision_measured: 1, decision_met: 1, decision_met_pct: 100 },
      { moderator: 'zed', decisions: 2, approved: 1, denied: 1, median_handling_ms: H, decision_measured: 2, decision_met: 1, decision_met_pct: 50 },
    ]);
  });

  it('lists every open state in the backlog with zeros, and a total', () => {
    const rows = backlogRows([
      { state: 'in_review', bucket: 0, n: 2 },
      { state: 'awaiting_review', bucket: 5, n: 1 },
    ]);
    expect(rows.map((r) => r.state)).toEqual([
      'submitted',
      'awaiting_review',
      'in_review',
      'awaiting_requester',
      'approved',
      'cooling_off',
      'reset_issued',
      'total',
    ]);
    expect(rows.at(-1)).toEqual({ state: 'total', d0_1: 2, d1_3: 0, d3_7: 0, d7_14: 0, d14_30: 0, d30_plus: 1, total: 3 });
  });

  it('gives one row for a type filter, without an all row', () => {
    expect(slaRows(range({ type: 'compromised' }), [], [], [], []).map((r) => r.request_type)).toEqual(['compromised']);
  });
});
