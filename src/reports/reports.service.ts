import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import {
  backlogEdges, backlogRows, type BacklogRow, breachRows, type BreachRow, type DayRow, dayRows, distributionRows, type DistributionRow,
  moderatorRows, type ModeratorRow, slaRows, type SlaRow,
} from './report-figures.js';
import { ReportQueries } from './report-queries.js';
import type { ReportRange } from './report-range.js';

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
}

/**
 * Builds reports from what tickets recorded when things happened (DESIGN.md: reports are computed from
 * the timeline, not from timers): measures fixed at the first response and the decision, outcomes,
 * and closings; never from the state of timers in Redis.
 */
@Injectable()
export class ReportsService {
  private readonly queries: ReportQueries;

  constructor(dataSource: DataSource, private readonly clock: Clock) {
    this.queries = new ReportQueries(dataSource);
  }

  /**
   * `breachesListed`: list only the first so many breaches (the page shows 100; a download of another
   * table needs none), counting the rest; all of them when absent.
   */
  async build(range: ReportRange, options: { breachesListed?: number } = {}): Promise<Report> {
    const now = this.clock.now();
    const received = await this.queries.received(range);
    const outcomes = await this.queries.outcomes(range);
    const decisions = await this.queries.decisions(range);
    const responses = await this.queries.responses(range);
    const openAtStart = await this.queries.openAt(range.start, range.type);
    const moves = await this.queries.openMoves(range);
    const backlog = await this.queries.backlog(range.type, backlogEdges(now));
    const breaches = await this.queries.breaches(range, options.breachesListed ?? null);
    const breachCount = options.breachesListed === undefined ? breaches.length : await this.queries.breachCount(range);
    return {
      range, generatedAt: now,
      sla: slaRows(range, received, outcomes, decisions, responses),
      daily: dayRows(range, received, outcomes, openAtStart, moves),
      backlog: backlogRows(backlog),
      breaches: breachRows(breaches),
      breachCount,
      moderators: moderatorRows(decisions),
      decisionTimes: distributionRows(decisions),
    };
  }
}
