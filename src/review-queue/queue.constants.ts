import type { JobsOptions } from 'bullmq';

/** Every BullMQ queue of the app. */
export enum QueueName {
  Mail = 'mail',
}

export enum JobName {
  SendMail = 'send-mail',
}

/**
 * Job options decided in one place. Outbox jobs reuse the outbox row's id as job id, so publishing
 * the same row twice adds one job; jobs carry ids only, never personal data (SECURITY.md #30).
 */
export function jobOptions(name: JobName, id: string): JobsOptions {
  switch (name) {
    case JobName.SendMail:
      return {
        jobId: id,
        attempts: 8,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: { age: 24 * 3600, count: 1000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      };
  }
}
