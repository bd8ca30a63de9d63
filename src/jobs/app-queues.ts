import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueName } from './job.constants.js';

/**
 * Every BullMQ queue of the app, as the container holds them (registered once, in NotificationsModule),
 * for those that look at all of them: the metrics' queue depths and the ops queue board.
 */
export function appQueues(resolve: (token: string) => Queue): Queue[] {
  return Object.values(QueueName).map((name) => resolve(getQueueToken(name)));
}
