import type { JobsOptions } from 'bullmq';

/** Every BullMQ queue of the app. */
export enum QueueName {
  Mail = 'mail',
  /** The review pipeline: assess (and, with issue 4, route and dispatch). */
  Review = 'review',
}

export enum JobName {
  SendMail = 'send-mail',
  Assess = 'assess',
}

/**
 * Job options decided in one place. Outbox jobs reuse the outbox row's id as job id, so publishing
 * the same row twice adds one job; jobs carry ids only, never personal data (SECURITY.md #30).
 */
export function jobOptions(name: JobName, id: string): JobsOptions {
  // Assessments and mail: retried with backoff (mail waits longer: a mail server refuses for a while).
  return {
    jobId: id,
    attempts: 8,
    backoff: { type: 'exponential', delay: name === JobName.SendMail ? 2000 : 1000 },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}
