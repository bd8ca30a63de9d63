import type { JobSchedulerTemplateOptions, JobsOptions, RepeatOptions } from 'bullmq';
import type { AppConfig } from '../config/app-config.js';

/** Every BullMQ queue of the app. */
export enum QueueName {
  Mail = 'mail',
  /** The review pipeline: assess → route, and mirroring a ticket's SQL state into Redis (sync). */
  Review = 'review',
  /** One job per ticket waiting for a moderator; popped by "work next" with manual fetching. */
  Dispatch = 'dispatch',
  /** Delayed wake-ups: SLA warnings and breaches, lease expiry, the end of a cooling-off. */
  Timers = 'timers',
  /** Jobs made by BullMQ job schedulers: the hourly close-unanswered sweep, the weekly summary to ops, the hourly calibration. */
  Periodic = 'periodic',
}

export enum JobName {
  SendMail = 'send-mail',
  Assess = 'assess',
  Sync = 'sync',
  Webhook = 'webhook',
  Dispatch = 'dispatch',
  SlaCheck = 'sla-check',
  LeaseExpiry = 'lease-expiry',
  CoolingOffEnd = 'cooling-off-end',
  CloseUnanswered = 'close-unanswered',
  WeeklySummary = 'weekly-summary',
  Calibrate = 'calibrate',
}

/** The queue each job goes to; a worker of that queue must have a handler for each of its names. */
export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.SendMail]: QueueName.Mail,
  [JobName.Assess]: QueueName.Review,
  [JobName.Sync]: QueueName.Review,
  [JobName.Webhook]: QueueName.Review,
  [JobName.Dispatch]: QueueName.Dispatch,
  [JobName.SlaCheck]: QueueName.Timers,
  [JobName.LeaseExpiry]: QueueName.Timers,
  [JobName.CoolingOffEnd]: QueueName.Timers,
  [JobName.CloseUnanswered]: QueueName.Periodic,
  [JobName.WeeklySummary]: QueueName.Periodic,
  [JobName.Calibrate]: QueueName.Periodic,
};

/**
 * The queues this app's workers process, and how many jobs each runs at once. The dispatch queue has
 * no worker: "work next" takes its jobs by hand (manual fetching).
 */
export const WORKED_QUEUES: Readonly<Partial<Record<QueueName, { concurrency: number }>>> = {
  [QueueName.Mail]: { concurrency: 4 },
  [QueueName.Review]: { concurrency: 4 },
  [QueueName.Timers]: { concurrency: 20 },
  [QueueName.Periodic]: { concurrency: 1 },
};

/** What each job carries: ids only, never personal data (docs/security.md #30). */
export interface JobData {
  [JobName.SendMail]: { outboxId: string };
  [JobName.Assess]: { outboxId: string };
  [JobName.Sync]: { outboxId: string };
  [JobName.Webhook]: { outboxId: string };
  [JobName.Dispatch]: { ticketId: string };
  [JobName.SlaCheck]: { ticketId: string; at?: string };
  [JobName.LeaseExpiry]: { ticketId: string; at?: string };
  [JobName.CoolingOffEnd]: { ticketId: string; at?: string };
  [JobName.CloseUnanswered]: Record<string, never>;
  [JobName.WeeklySummary]: Record<string, never>;
  [JobName.Calibrate]: Record<string, never>;
}

const ID_FIELD: Record<JobName, 'outboxId' | 'ticketId' | null> = {
  [JobName.SendMail]: 'outboxId',
  [JobName.Assess]: 'outboxId',
  [JobName.Sync]: 'outboxId',
  [JobName.Webhook]: 'outboxId',
  [JobName.Dispatch]: 'ticketId',
  [JobName.SlaCheck]: 'ticketId',
  [JobName.LeaseExpiry]: 'ticketId',
  [JobName.CoolingOffEnd]: 'ticketId',
  [JobName.CloseUnanswered]: null,
  [JobName.WeeklySummary]: null,
  [JobName.Calibrate]: null,
};

/** The job's data if it has the shape its name calls for; otherwise why not (the job fails, and says so). */
export function checkJobData<N extends JobName>(name: N, data: unknown): { ok: true; data: JobData[N] } | { ok: false; problem: string } {
  const field = ID_FIELD[name];
  if (field === null) return { ok: true, data: {} as JobData[N] };
  const value = (data as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string' || value === '') return { ok: false, problem: `job ${name} has no ${field}` };
  return { ok: true, data: data as JobData[N] };
}

/**
 * Job options decided in one place. Outbox jobs reuse the outbox row's id as job id, so publishing
 * the same row twice adds one job; jobs carry ids only, never personal data (docs/security.md #30).
 */
export function jobOptions(name: JobName, id: string): JobsOptions {
  switch (name) {
    case JobName.Dispatch:
    case JobName.SlaCheck:
    case JobName.LeaseExpiry:
    case JobName.CoolingOffEnd:
      // Deterministic ids (docs/architecture.md, principle 3). Removed when done, failed or not, so the same id can
      // be armed again; the reconciler re-adds anything lost.
      return { jobId: id, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true };
    default:
      // Outbox work (assess, sync, webhook, mail): retried with backoff; a mail server refuses for a while.
      return {
        jobId: id,
        attempts: 8,
        backoff: { type: 'exponential', delay: name === JobName.SendMail || name === JobName.Webhook ? 2000 : 1000 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      };
  }
}

/** The close-unanswered sweep: hourly, at minute 0 (UTC). */
export const CLOSE_UNANSWERED_PATTERN = '0 * * * *';

/** The calibration of P(owner) from decided tickets (docs/evidence.md, "Calibrated odds"): hourly, at minute 20 (UTC). */
export const CALIBRATE_PATTERN = '20 * * * *';

/** A periodic job and its schedule; `repeat` null: switched off in config, so its scheduler is removed. */
export interface PeriodicJob {
  /** Also the job scheduler's id: every process upserts the same one, so restarts and replicas add no duplicates. */
  name: JobName.CloseUnanswered | JobName.WeeklySummary | JobName.Calibrate;
  repeat: Pick<RepeatOptions, 'pattern' | 'tz'> | null;
}

export function periodicJobs({ review, reports }: Pick<AppConfig, 'review' | 'reports'>): PeriodicJob[] {
  return [
    { name: JobName.CloseUnanswered, repeat: review.closeUnansweredMs === null ? null : { pattern: CLOSE_UNANSWERED_PATTERN } },
    { name: JobName.WeeklySummary, repeat: reports.weeklySummary ? { pattern: reports.weeklySummaryCron, tz: reports.timeZone } : null },
    { name: JobName.Calibrate, repeat: { pattern: CALIBRATE_PATTERN } },
  ];
}

/**
 * Options of the jobs a scheduler makes (BullMQ gives them their ids: the scheduler's id and the instant).
 * Retried with backoff: a missed weekly run waits a week; every periodic job is safe to run twice.
 */
export function periodicJobOptions(): JobSchedulerTemplateOptions {
  return {
    attempts: 5,
    backoff: { type: 'exponential', delay: 30_000 },
    removeOnComplete: { age: 30 * 24 * 3600, count: 200 },
    removeOnFail: { age: 30 * 24 * 3600, count: 200 },
  };
}

/** Deterministic job ids: adding the same wake-up twice adds one job (docs/architecture.md, principle 3). */
export const dispatchJobId = (ticketId: string): string => `d-${ticketId}`;
export const slaTimerId = (ticketId: string, at: Date): string => `sla-${ticketId}-${at.getTime()}`;
export const leaseTimerId = (ticketId: string, at: Date): string => `lease-${ticketId}-${at.getTime()}`;
export const coolingOffTimerId = (ticketId: string, at: Date): string => `cool-${ticketId}-${at.getTime()}`;
