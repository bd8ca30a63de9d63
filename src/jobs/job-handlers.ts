import { SetMetadata } from '@nestjs/common';
import { JOB_QUEUE, type JobData, JobName, QueueName } from './job.constants.js';

const ON_JOB = 'recovery-desk:on-job';

/** A handler's answer that puts its job back to sleep until `until` (a timer woke up early). */
export class DelayJob {
  constructor(readonly until: Date) {}
}

export interface JobContext {
  id: string | undefined;
  attemptsMade: number;
}

export type JobHandler<N extends JobName = JobName> = (data: JobData[N], job: JobContext) => Promise<unknown>;

/**
 * Marks a provider's method as the handler of one job name. The jobs module finds handlers when a worker
 * process boots (DiscoveryService), so a module handles its jobs without the jobs module importing it.
 */
export const OnJob = (name: JobName): MethodDecorator => SetMetadata(ON_JOB, name);

/** The job name an `@OnJob` method handles, if any. */
export function handledJob(method: unknown): JobName | undefined {
  return typeof method === 'function' ? (Reflect.getMetadata(ON_JOB, method) as JobName | undefined) : undefined;
}

/**
 * Every job name of the worked queues that has no handler (a queue nobody works, such as dispatch,
 * needs none), and every name with more than one. A worker process refuses to boot on either:
 * otherwise the job would only fail when it first runs, perhaps weeks later.
 */
export function handlerProblems(handled: readonly JobName[], worked: readonly QueueName[]): string[] {
  const problems: string[] = [];
  for (const name of Object.values(JobName)) {
    const count = handled.filter((h) => h === name).length;
    if (worked.includes(JOB_QUEUE[name]) && count === 0) problems.push(`job "${name}" of queue "${JOB_QUEUE[name]}" has no handler`);
    if (count > 1) problems.push(`job "${name}" has ${count} handlers`);
  }
  return problems;
}
