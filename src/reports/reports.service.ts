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
  /** Tickets received in the range that missed a target. */
  breaches: BreachRow[];
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

  async build(range: ReportRange): Promise<Report> {
    const now = this.clock.now();
    const received = await this.queries.received(range);
    const outcomes = await this.queries.outcomes(range);
    const decisions = await this.queries.decisions(range);
    const responses = await this.queries.responses(range);
    const openAtStart = await this.queries.openAt(range.start, range.type);
    const moves = await this.queries.openMoves(range);
    const backlog = await this.queries.backlog(range.type, backlogEdges(now));
    const breaches = await this.queries.breaches(range);
    return {
      range, generatedAt: now,
      sla: slaRows(range, received, outcomes, decisions, responses),
      daily: dayRows(range, received, outcomes, openAtStart, moves),
      backlog: backlogRows(backlog),
      breaches: breachRows(breaches),
      moderators: moderatorRows(decisions),
      decisionTimes: distributionRows(decisions),
    };
  }
}
