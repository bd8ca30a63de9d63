import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import {
  backlogEdges,
  backlogRows,
  type BacklogRow,
  breachRows,
  type BreachRow,
  type DayRow,
  dayRows,
  distributionRows,
  type DistributionRow,
  moderatorRows,
  type ModeratorRow,
  slaRows,
  type SlaRow,
} from './report-figures.js';
import { ReportQueries } from './report-queries.js';
import { calibrationRows, type CurveInUse, type ReliabilityRow, type RuleVersionRow } from './calibration-figures.js';
import { CalibrationService } from '../evidence/calibration.service.js';
import { OUTCOME_LABELS } from '../scoring/calibration.js';
import type { ReportRange } from './report-range.js';
import type { ReportTable, ReportTableData } from './report-tables.js';

/** Everything the report page shows, as data: the CSV and JSON downloads are cut from the same object. */
export interface Report {
  range: ReportRange;
  generatedAt: Date;
  sla: SlaRow[];
  daily: DayRow[];
  /** Open tickets now, by state and age; the range's type filter applies, its dates do not. */
  backlog: BacklogRow[];
  /** Tickets received in the range that missed a target (the first `breachesListed` only, when the build was asked so). */
  breaches: BreachRow[];
  /** How many tickets received in the range missed a target, listed or not. */
  breachCount: number;
  moderators: ModeratorRow[];
  decisionTimes: DistributionRow[];
  /** Per rule version: decided tickets closed in the range, the score's ROC AUC, what P(owner) rests on. */
  calibration: RuleVersionRow[];
  /** Per rule version and tenth of P(owner): predicted against observed. */
  reliability: ReliabilityRow[];
}

/**
 * The queries of one report, each run at most once and only when a table asks for it: the page reads
 * them all, a download only those of its table (the SLA table's CSV does not count the backlog).
 */
class ReportInputs {
  private readonly runs = new Map<string, Promise<unknown>>();

  constructor(
    private readonly queries: ReportQueries,
    private readonly calibrations: CalibrationService,
    readonly range: ReportRange,
    readonly now: Date,
  ) {}

  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    let pending = this.runs.get(key) as Promise<T> | undefined;
    if (!pending) this.runs.set(key, (pending = run()));
    return pending;
  }

  received = () => this.once('received', () => this.queries.received(this.range));
  outcomes = () => this.once('outcomes', () => this.queries.outcomes(this.range));
  decisions = () => this.once('decisions', () => this.queries.decisions(this.range));
  responses = () => this.once('responses', () => this.queries.responses(this.range));

  async sla(): Promise<SlaRow[]> {
    return slaRows(this.range, await this.received(), await this.outcomes(), await this.decisions(), await this.responses());
  }

  async daily(): Promise<DayRow[]> {
    const openAtStart = await this.queries.openAt(this.range.start, this.range.type);
    return dayRows(this.range, await this.received(), await this.outcomes(), openAtStart, await this.queries.openMoves(this.range));
  }

  async backlog(): Promise<BacklogRow[]> {
    return backlogRows(await this.queries.backlog(this.range.type, backlogEdges(this.now)));
  }

  /** `listed`: the first so many breaches only (null: all). */
  async breaches(listed: number | null): Promise<BreachRow[]> {
    return breachRows(await this.queries.breaches(this.range, listed));
  }

  async moderators(): Promise<ModeratorRow[]> {
    return moderatorRows(await this.decisions());
  }

  async decisionTimes(): Promise<DistributionRow[]> {
    return distributionRows(await this.decisions());
  }

  /** Both calibration tables, from one query and the curve now in use for each rule version met. */
  calibrationTables = () =>
    this.once('calibration', async () => {
      const labelled = await this.queries.labelled(this.range, Object.keys(OUTCOME_LABELS));
      const curves = new Map<string, CurveInUse>();
      for (const ruleVersion of new Set(labelled.map((r) => r.ruleVersion))) {
        const { curve, record } = await this.calibrations.curveFor(ruleVersion);
        curves.set(ruleVersion, { curve, version: record?.id ?? null, outcomes: record?.outcomes ?? 0 });
      }
      return calibrationRows(labelled, curves);
    });
}

const TABLE_ROWS: Record<ReportTable, (inputs: ReportInputs) => Promise<ReadonlyArray<object>>> = {
  sla: (i) => i.sla(),
  daily: (i) => i.daily(),
  backlog: (i) => i.backlog(),
  breaches: (i) => i.breaches(null),
  moderators: (i) => i.moderators(),
  'decision-times': (i) => i.decisionTimes(),
  calibration: async (i) => (await i.calibrationTables()).versions,
  reliability: async (i) => (await i.calibrationTables()).reliability,
};

/**
 * Builds reports from what tickets recorded when things happened (docs/architecture.md, "SLA conventions":
 * reports read stored measures, never timers): measures fixed at the first response and the decision, outcomes,
 * and closings; never from the state of timers in Redis.
 */
@Injectable()
export class ReportsService {
  private readonly queries: ReportQueries;

  constructor(
    dataSource: DataSource,
    private readonly clock: Clock,
    private readonly calibrations: CalibrationService,
  ) {
    this.queries = new ReportQueries(dataSource);
  }

  /**
   * Every table. `breachesListed`: list only the first so many breaches (the page shows 100; the weekly
   * mail none), counting the rest; all of them when absent.
   */
  async build(range: ReportRange, options: { breachesListed?: number } = {}): Promise<Report> {
    const inputs = new ReportInputs(this.queries, this.calibrations, range, this.clock.now());
    const breaches = await inputs.breaches(options.breachesListed ?? null);
    return {
      range,
      generatedAt: inputs.now,
      sla: await inputs.sla(),
      daily: await inputs.daily(),
      backlog: await inputs.backlog(),
      breaches,
      breachCount: options.breachesListed === undefined ? breaches.length : await this.queries.breachCount(range),
      moderators: await inputs.moderators(),
      decisionTimes: await inputs.decisionTimes(),
      calibration: (await inputs.calibrationTables()).versions,
      reliability: (await inputs.calibrationTables()).reliability,
    };
  }

  /** One table, reading only the queries it needs (the downloads). */
  async table(range: ReportRange, table: ReportTable): Promise<ReportTableData> {
    const inputs = new ReportInputs(this.queries, this.calibrations, range, this.clock.now());
    return { range, generatedAt: inputs.now, rows: await TABLE_ROWS[table](inputs) };
  }
}
