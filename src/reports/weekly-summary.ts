// The weekly summary mail to ops: which week it covers and what it says. Pure: the service builds the
// report and queues the mail; the figures are the report page's, formatted the same way.
import { localDayOf } from '../sla/calendar.js';
import { formatDuration, formatShare } from './report-math.js';
import type { SlaRow } from './report-figures.js';
import { dayName, parseReportRange, type ReportRange } from './report-range.js';
import type { Report } from './reports.service.js';

/** Moderators named in the mail; the report page lists them all. */
export const TOP_MODERATORS = 5;

/** The last seven full local days before `now` in the zone: yesterday and the six days before it. */
export function lastFullWeek(now: Date, timeZone: string): ReportRange {
  const today = localDayOf(timeZone, now.getTime());
  const parsed = parseReportRange({ from: dayName(today - 7), to: dayName(today - 1), type: 'all' }, now, timeZone);
  if (!parsed.ok) throw new Error(`no report range for the last week: ${parsed.message}`);
  return parsed.range;
}

/**
 * The summary's outbox id, also its Message-ID: one mail per week. The range always ends yesterday, so
 * its first day names the week; a second run for it inserts the same primary key and is refused.
 */
export function weeklySummaryId(range: Pick<ReportRange, 'from'>): string {
  return `weekly-summary-${range.from}`;
}

const words = (value: string) => value.replace(/_/g, ' ');

/** A type with nothing received, closed or measured in the week is left out; `all` always stays. */
function hasActivity(row: SlaRow): boolean {
  return row.request_type === 'all' || row.received + row.decided + row.withdrawn + row.closed_no_response + row.response_measured > 0;
}

/** The mail template's context (views/mail/weekly-summary.hbs). */
export function weeklySummaryContext(report: Report, publicBaseUrl: string): Record<string, unknown> {
  const { range } = report;
  const rows = report.sla.filter(hasActivity);
  const total = report.backlog.find((r) => r.state === 'total');
  return {
    from: range.from,
    to: range.to,
    timeZone: range.timeZone,
    // All types first: the one line most readers need.
    types: [...rows.filter((r) => r.request_type === 'all'), ...rows.filter((r) => r.request_type !== 'all')].map((r) => ({
      label: r.request_type === 'all' ? 'All types' : words(r.request_type),
      received: r.received,
      decided: r.decided,
      approved: r.approved,
      denied: r.denied,
      withdrawn: r.withdrawn,
      closedNoResponse: r.closed_no_response,
      responseMet: formatShare(r.response_met_pct),
      responseCount: `${r.response_met} of ${r.response_measured}`,
      responseP50: formatDuration(r.response_p50_ms),
      responseP90: formatDuration(r.response_p90_ms),
      decisionMet: formatShare(r.decision_met_pct),
      decisionCount: `${r.decision_met} of ${r.decision_measured}`,
      decisionP50: formatDuration(r.decision_p50_ms),
      decisionP90: formatDuration(r.decision_p90_ms),
    })),
    backlogOpen: total?.total ?? 0,
    backlogOver30Days: total?.d30_plus ?? 0,
    breaches: report.breachCount,
    moderators: report.moderators.slice(0, TOP_MODERATORS).map((m) => ({ name: m.moderator, decisions: m.decisions, approved: m.approved, denied: m.denied })),
    reportUrl: `${publicBaseUrl}/reports?${new URLSearchParams({ from: range.from, to: range.to }).toString()}`,
  };
}
