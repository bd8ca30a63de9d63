import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { AppConfig } from '../config/app-config.js';
import { guardQueueBoard, QUEUE_BOARD_PATH } from './queue-board-access.hook.js';
import { appQueues } from '../jobs/app-queues.js';

/**
 * The ops queue board (bull-board) at /ops/queues, over every queue of the app. bull-board's routes
 * are plain Fastify routes, so Nest's guards never see them: the access hook goes first, after the
 * session plugin (call after registerStaffSessions). Read-only: the board's retry, clean, pause and
 * the like are JSON PUT, PATCH and POST calls its own client sends without the session's CSRF token,
 * and queues are repaired by the reconciler (SQL is the truth), not by hand.
 */
export async function registerQueueBoard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  guardQueueBoard(app.getHttpAdapter().getInstance(), {
    dataSource: app.get(DataSource),
    clock: app.get(Clock),
    config,
  });
  const server = new FastifyAdapter();
  createBullBoard({
    queues: appQueues((token) => app.get<Queue>(token, { strict: false })).map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter: server,
    options: {
      uiConfig: {
        boardTitle: 'Recovery Desk queues',
        // The docs link leaves the site; the dashboard link brings ops back.
        hideDocsLink: true,
        miscLinks: [{ text: 'Dashboard', url: '/dashboard' }],
      },
    },
  });
  server.setBasePath(QUEUE_BOARD_PATH);
  await app.register(server.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
}
