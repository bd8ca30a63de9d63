import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { Clock } from '../common/clock.js';
import { OnJob } from '../jobs/job-handlers.js';
import { JobName } from '../jobs/job.constants.js';
import {
  buildCalibration,
  CALIBRATION_POLICY,
  type Calibration,
  type CalibrationCurve,
  formatPOwner,
  type LabelledScore,
  OUTCOME_LABELS,
  pOwner,
  priorCurve,
} from '../scoring/calibration.js';
import type { ScoringConfig } from '../scoring/scoring.config.js';
import { Ticket } from '../tickets/ticket.entity.js';
import { CalibrationRecord } from './calibration.entity.js';
import { SCORING_CONFIG } from './scoring-config.provider.js';

/** What a build did: stored a new version, or found the current one still right. */
export interface CalibrationBuild {
  version: number;
  ruleVersion: string;
  method: CalibrationCurve['method'];
  outcomes: number;
  created: boolean;
}

/** P(owner) of one score, with what it rests on: the moderator's view only (docs/security.md #1). */
export interface POwnerView {
  /** Two decimals, never 0.00 or 1.00. */
  value: string;
  p: number;
  basis: 'calibrated' | 'prior';
  /** "from 1,240 decided tickets, rules 2026.12.3" or "prior (fewer than 200 decided tickets …)". */
  text: string;
  /** The calibration's version (the `calibrations` row), null for the prior before any build. */
  version: number | null;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The score → P(owner) calibration (docs/evidence.md, "Calibrated odds"): rebuilt every hour by a periodic
 * job from the decided tickets of the current rule version, stored as a new version only when it changed,
 * and read by the ticket page and the reports.
 */
@Injectable()
export class CalibrationService {
  private readonly logger = new Logger(CalibrationService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
  ) {}

  /**
   * Decided tickets scored under a rule version, labelled by their final state (scoring/calibration.ts,
   * OUTCOME_LABELS). The ticket's score is its latest assessment's, the one its moderators saw last.
   */
  async outcomes(ruleVersion: string): Promise<LabelledScore[]> {
    const rows = await this.dataSource.getRepository(Ticket).find({
      select: { state: true, score: true },
      where: { ruleVersion, state: In(Object.keys(OUTCOME_LABELS)), score: Not(IsNull()) },
    });
    // In a fixed order, so the same outcomes always give the same curve to the last bit (and no new version).
    return rows.map((r) => ({ score: r.score!, owner: OUTCOME_LABELS[r.state] })).sort((a, b) => a.score - b.score || Number(a.owner) - Number(b.owner));
  }

  /** Builds the current rule version's calibration; a new row only when it differs from the newest. Safe to run twice. */
  @OnJob(JobName.Calibrate)
  async rebuild(): Promise<CalibrationBuild> {
    const ruleVersion = this.scoring.ruleVersion;
    const built = buildCalibration(ruleVersion, await this.outcomes(ruleVersion), this.scoring);
    const latest = await this.current(ruleVersion);
    if (latest && same(latest, built)) {
      return { version: latest.id, ruleVersion, method: latest.method, outcomes: latest.outcomes, created: false };
    }
    const row: Omit<CalibrationRecord, 'id'> = {
      ruleVersion,
      method: built.curve.method,
      builtAt: this.clock.now(),
      outcomes: built.outcomes,
      owners: built.owners,
      notOwners: built.notOwners,
      params: built.curve,
    };
    const result = await this.dataSource.getRepository(CalibrationRecord).insert(row);
    const version = Number(result.identifiers[0].id);
    this.logger.log({ version, ruleVersion, method: row.method, outcomes: row.outcomes }, 'calibration built');
    return { version, ruleVersion, method: row.method, outcomes: row.outcomes, created: true };
  }

  /** The newest calibration of a rule version, if any was built. */
  current(ruleVersion: string): Promise<CalibrationRecord | null> {
    return this.dataSource.getRepository(CalibrationRecord).findOne({ where: { ruleVersion }, order: { id: 'DESC' } });
  }

  /** The curve a rule version's scores are read with now, and the record it came from (null: the prior, never built). */
  async curveFor(ruleVersion: string): Promise<{ curve: CalibrationCurve; record: CalibrationRecord | null }> {
    const record = await this.current(ruleVersion);
    return { curve: record?.params ?? priorCurve(this.scoring), record };
  }

  /** P(owner) of a score under a rule version, with its basis in words. */
  async view(ruleVersion: string, score: number): Promise<POwnerView> {
    const { curve, record } = await this.curveFor(ruleVersion);
    return pOwnerView(curve, record, ruleVersion, score);
  }
}

/** The words beside P(owner) on the ticket page. */
export function pOwnerView(curve: CalibrationCurve, record: CalibrationRecord | null, ruleVersion: string, score: number): POwnerView {
  const p = pOwner(curve, score);
  const version = record?.id ?? null;
  if (curve.method === 'logistic') {
    return { value: formatPOwner(p), p, basis: 'calibrated', version, text: `from ${count(record?.outcomes ?? 0)} decided tickets, rules ${ruleVersion}` };
  }
  const { minOutcomes, minEachLabel } = CALIBRATION_POLICY;
  const sofar = record ? `; ${count(record.outcomes)} so far` : '';
  return {
    value: formatPOwner(p),
    p,
    basis: 'prior',
    version,
    text: `prior (fewer than ${count(minOutcomes)} decided tickets, ${minEachLabel} of each outcome, under rules ${ruleVersion}${sofar})`,
  };
}

function same(record: CalibrationRecord, built: Calibration): boolean {
  return (
    record.outcomes === built.outcomes &&
    record.owners === built.owners &&
    record.method === built.curve.method &&
    JSON.stringify(record.params) === JSON.stringify(built.curve)
  );
}
