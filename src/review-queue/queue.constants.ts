import type { JobsOptions } from 'bullmq';

/** Every BullMQ queue of the app. */
export enum QueueName {
  Mail = 'mail',
  /** The review pipeline: assess → route, and mirroring a ticket's SQL state into Redis (sync). */
  Review = 'review',
  /** One job per ticket waiting for a moderator; popped by "work next" with manual fetching. */
  Dispatch = 'dispatch',
  /** Delayed wake-ups: SLA warnings and breaches, lease expiry, the end of a cooling-off. */
  Timers = 'timers',
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
}

/**
 * Job options decided in one place. Outbox jobs reuse the outbox row's id as job id, so publishing
 * the same row twice adds one job; jobs carry ids only, never personal data (SECURITY.md #30).
 */
export function jobOptions(name: JobName, id: string): JobsOptions {
  switch (name) {
    case JobName.Dispatch:
    case JobName.SlaCheck:
    case JobName.LeaseExpiry:
    case JobName.CoolingOffEnd:
      // Deterministic ids (DESIGN.md principle 3). Removed when done, failed or not, so the same id can
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
