import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths.js';
import { MailTemplates } from '../notifications/mail-templates.js';
import { AGE_BUCKETS } from './report-math.js';
import type { BacklogRow, ModeratorRow, SlaRow } from './report-figures.js';
import type { Report } from './reports.service.js';
import { lastFullWeek, TOP_MODERATORS, weeklySummaryContext, weeklySummaryId } from './weekly-summary.js';
import { MailTemplate } from '../notifications/mail-template.js';

const HOUR = 3_600_000;

describe('the weekly summary', () => {
  it('covers yesterday and the six days before it, in the report time zone', () => {
    // Monday 08:00 in Berlin.
    const week = lastFullWeek(new Date('2026-11-23T07:00:00Z'), 'Europe/Berlin');
    expect(week).toMatchObject({ from: '2026-11-16', to: '2026-11-22', type: 'all', timeZone: 'Europe/Berlin' });
    expect(week.start).toEqual(new Date('2026-11-15T23:00:00Z'));
    expect(week.end).toEqual(new Date('2026-11-22T23:00:00Z'));
    expect(week.days).toHaveLength(7);
  });

  it('counts local days, not UTC ones: just after midnight in Berlin it is still Sunday in UTC', () => {
    const at = new Date('2026-11-22T23:30:00Z');
    expect(lastFullWeek(at, 'Europe/Berlin')).toMatchObject({ from: '2026-11-16', to: '2026-11-22' });
    expect(lastFullWeek(at, 'UTC')).toMatchObject({ from: '2026-11-15', to: '2026-11-21' });
    expect(lastFullWeek(at, 'America/St_Johns')).toMatchObject({ from: '2026-11-15', to: '2026-11-21' });
  });

  it('spans a change of clocks: the week in which summer time ended has 169 hours', () => {
    const week = lastFullWeek(new Date('2026-10-26T07:00:00Z'), 'Europe/Berlin');
    expect(week).toMatchObject({ from: '2026-10-19', to: '2026-10-25' });
    expect(week.end.getTime() - week.start.getTime()).toBe(169 * HOUR);
  });

  it('names one mail per week, short enough for the outbox id', () => {
    const id = weeklySummaryId({ from: '2026-11-16' });
    expect(id).toBe('weekly-summary-2026-11-16');
    expect(id.length).toBeLessThanOrEqual(36);
  });

  const sla = (request_type: SlaRow['request_type'], over: Partial<SlaRow> = {}): SlaRow => ({
    request_type,
    received: 0,
    decided: 0,
    approved: 0,
    denied: 0,
    withdrawn: 0,
    closed_no_response: 0,
    response_measured: 0,
    response_met: 0,
    response_met_pct: null,
    response_p50_ms: null,
    response_p90_ms: null,
    response_p99_ms: null,
    decision_measured: 0,
    decision_met: 0,
    decision_met_pct: null,
    decision_p50_ms: null,
    decision_p90_ms: null,
    decision_p99_ms: null,
    ...over,
  });
  const backlog = (state: string, total: number, old: number): BacklogRow =>
    Object.assign({ state }, ...AGE_BUCKETS.map((b) => ({ [b.key]: 0 })), { d0_1: total - old, d30_plus: old, total }) as BacklogRow;
  const moderator = (name: string, decisions: number): ModeratorRow => ({
    moderator: name,
    decisions,
    approved: decisions,
    denied: 0,
    median_handling_ms: null,
    decision_measured: 0,
    decision_met: 0,
    decision_met_pct: null,
  });
  const report = (over: Partial<Report>): Report => ({
    range: lastFullWeek(new Date('2026-11-23T07:00:00Z'), 'Europe/Berlin'),
    generatedAt: new Date('2026-11-23T07:00:00Z'),
    sla: [],
    daily: [],
    backlog: [backlog('total', 0, 0)],
    calibration: [],
    reliability: [],
    breaches: [],
    breachCount: 0,
    moderators: [],
    decisionTimes: [],
    ...over,
  });
  const render = (context: Record<string, unknown>) => new MailTemplates(join(VIEWS_DIR, 'mail')).render(MailTemplate.WeeklySummary, context);

  it('lists all types first, then only the types something happened to, and links the report page for the week', () => {
    const context = weeklySummaryContext(
      report({
        sla: [
          sla('forgot_password'),
          sla('lost_2fa', { withdrawn: 1 }),
          sla('compromised', { received: 2 }),
          sla('all', {
            received: 2,
            withdrawn: 1,
            response_measured: 2,
            response_met: 1,
            response_met_pct: 50,
            response_p50_ms: 45 * 60_000,
            response_p90_ms: 26 * HOUR,
          }),
        ],
        backlog: [backlog('awaiting_review', 3, 1), backlog('total', 3, 1)],
        moderators: ['ann', 'bob', 'cat', 'dan', 'eve', 'fay'].map((name, i) => moderator(name, 6 - i)),
      }),
      'https://desk.example',
    );
    expect((context.types as Array<{ label: string }>).map((t) => t.label)).toEqual(['All types', 'lost 2fa', 'compromised']);
    expect(context).toMatchObject({
      backlogOpen: 3,
      backlogOver30Days: 1,
      breaches: 0,
      reportUrl: 'https://desk.example/reports?from=2026-11-16&to=2026-11-22',
    });
    expect(context.moderators).toHaveLength(TOP_MODERATORS);

    const mail = render(context);
    expect(mail.subject).toBe('Recovery Desk weekly summary: 2026-11-16 to 2026-11-22');
    expect(mail.text).toContain(
      [
        'All types',
        '  received 2, decided 0 (approved 0, denied 0), withdrawn 1, closed without answer 0',
        '  first response: 50.0 % met (1 of 2), p50 45 min, p90 1 d 2 h',
        '  decision: – met (0 of 0), p50 –, p90 –',
      ].join('\n'),
    );
    expect(mail.text).toContain('  ann: 6 (6 approved, 0 denied)\n');
    expect(mail.text).not.toContain('fay');
  });

  it('says so when nobody decided anything', () => {
    const mail = render(weeklySummaryContext(report({ sla: [sla('all')] }), 'http://localhost:3000'));
    expect(mail.text).toContain('Most decisions:\n  nobody decided a request this week\n');
    expect(mail.text).toContain('Open now: 0, of which 0 older than 30 days.');
  });
});
