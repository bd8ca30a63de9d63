import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Transactions } from '../database/transactions.js';
import { OutboxMessage } from '../notifications/outbox.entity.js';

const TIMEOUT_MS = 10_000;

/** Posts an ops event (an SLA breach) as JSON to SLA_WEBHOOK_URL; a non-2xx answer is retried by BullMQ. */
@Injectable()
export class WebhookSender {
  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async processOutbox(outboxId: string): Promise<void> {
    const row = await this.dataSource.getRepository(OutboxMessage).findOneBy({ id: outboxId });
    if (!row || row.processedAt || !row.payload) return;
    const url = this.config.review.slaWebhookUrl;
    if (url) {
      const response = await fetch(url, {
        method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'recovery-desk' },
        body: row.payload, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error',
      });
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    }
    await this.transactions.run((em) => em.update(OutboxMessage, { id: outboxId }, { processedAt: new Date(), payload: null, attempts: row.attempts + 1 }));
  }
}
