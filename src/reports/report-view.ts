// The report page's view model: the same figures as the downloads, formatted for reading.
import { backlogAgeChart, histogramChart, lineChart, receivedVsDecidedChart } from './charts/index.js';
import { AGE_BUCKETS, formatDuration, formatShare } from './report-math.js';
import { rangeQuery } from './report-range.js';
import { REPORT_TABLES } from './report-tables.js';
import type { Report } from './reports.service.js';
import { REQUEST_TYPES } from '../tickets/ticket.types.js';

/** Breaches listed on the page; the CSV and JSON have them all. */
export const BREACHES_ON_PAGE = 100;

/** `lost_2fa` → `lost 2fa`: as the queue page writes states and types. */
const words = (value: string) => value.replace(/_/g, ' ');

export function reportView(report: Report) {
  const q = rangeQuery(report.range);
  const totalRow = report.backlog.find((r) => r.state === 'total');
  return {
    range: report.range,
    typeOptions: ['all', ...REQUEST_TYPES].map((t) => ({ value: t, label: t === 'all' ? 'all types' : words(t), selected: t === report.range.type })),
    generatedAt: report.generatedAt.toISOString(),
    downloads: Object.fromEntries(REPORT_TABLES.map((t) => [t.replace('-', '_'), { csv: `/reports/${t}.csv${q}`, json: `/reports/${t}.json${q}` }])),
    sla: report.sla.map((r) => ({
      type: r.request_type,
      label: r.request_type === 'all' ? 'All types' : words(r.request_type),
      all: r.request_type === 'all',
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
      responseP99: formatDuration(r.response_p99_ms),
      decisionMet: formatShare(r.decision_met_pct),
      decisionCount: `${r.decision_met} of ${r.decision_measured}`,
      decisionP50: formatDuration(r.decision_p50_ms),
      decisionP90: formatDuration(r.decision_p90_ms),
      decisionP99: formatDuration(r.decision_p99_ms),
    })),
    ageBuckets: AGE_BUCKETS.map((b) => b.label),
    backlog: report.backlog.map((r) => ({
      state: r.state,
      label: r.state === 'total' ? 'All open' : words(r.state),
      total: r.total,
      isTotal: r.state === 'total',
      cells: AGE_BUCKETS.map((b) => r[b.key]),
    })),
    breaches: report.breaches.slice(0, BREACHES_ON_PAGE).map((b) => ({
      ...b,
      type: words(b.request_type),
      state: words(b.state),
      response: formatDuration(b.response_ms),
      decision: formatDuration(b.decision_ms),
    })),
    breachCount: report.breachCount,
    breachesHidden: Math.max(0, report.breachCount - Math.min(report.breaches.length, BREACHES_ON_PAGE)),
    moderators: report.moderators.map((m) => ({
      ...m,
      medianHandling: formatDuration(m.median_handling_ms),
      decisionMet: formatShare(m.decision_met_pct),
      decisionCount: `${m.decision_met} of ${m.decision_measured}`,
    })),
    daily: report.daily,
    decisionTimes: report.decisionTimes,
    calibration: report.calibration.map((r) => ({
      ...r,
      auc: r.auc === null ? '—' : r.auc.toFixed(3),
      brier: r.brier === null ? '—' : r.brier.toFixed(3),
      basisText:
        r.basis === 'calibrated'
          ? `calibrated (version ${r.calibration_version}, from ${r.calibration_outcomes.toLocaleString('en-US')} decided tickets)`
          : `prior (${r.calibration_outcomes.toLocaleString('en-US')} decided tickets so far: too few)`,
      bins: report.reliability
        .filter((b) => b.rule_version === r.rule_version)
        .map((b) => ({
          ...b,
          predicted: b.mean_predicted === null ? '—' : b.mean_predicted.toFixed(2),
          seen: b.observed === null ? '—' : b.observed.toFixed(2),
        })),
    })),
    charts: {
      receivedVsDecided: receivedVsDecidedChart(report.daily, { id: 'chart-received-decided', title: 'Tickets received and decided per day' }),
      openOverTime: lineChart(
        report.daily.map((d) => ({ day: d.day, value: d.open_at_end })),
        { id: 'chart-open', title: 'Open tickets at the end of each day', valueLabel: 'Open tickets' },
      ),
      decisionTimes: histogramChart(
        report.decisionTimes.map((b) => ({ label: b.time_to_decision, count: b.decisions })),
        { id: 'chart-decision-times', title: 'Decisions by time to decision' },
      ),
      backlogAge: backlogAgeChart(
        AGE_BUCKETS.map((b) => ({ label: b.label, count: totalRow?.[b.key] ?? 0 })),
        { id: 'chart-backlog-age', title: 'Open tickets by age' },
      ),
    },
  };
}
