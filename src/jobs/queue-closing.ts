import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { Shutdown } from '../common/shutdown.js';
import { appQueues } from './app-queues.js';

type ClosingQueue = Queue & { onApplicationShutdown?: () => Promise<unknown> };

/**
 * @nestjs/bullmq closes every queue it registered on application shutdown, and a queue's close waits
 * for Redis to answer QUIT, for ever while Redis is away. That close is given the shutdown's deadline
 * for a connection here, and past it the queue's client is disconnected.
 */
@Injectable()
export class QueueClosing implements OnModuleInit {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly shutdown: Shutdown,
  ) {}

  onModuleInit(): void {
    for (const queue of appQueues((token) => this.moduleRef.get<ClosingQueue>(token, { strict: false })) as ClosingQueue[]) {
      const close = queue.onApplicationShutdown?.bind(queue) ?? (() => queue.close());
      queue.onApplicationShutdown = () => this.shutdown.release(`queue ${queue.name}`, close, () => queue.disconnect());
    }
  }
}
