import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobName, type JobData } from '../jobs/job.constants.js';
import { OnJob } from '../jobs/job-handlers.js';
import { Outbox } from '../jobs/outbox.service.js';

const TIMEOUT_MS = 10_000;

/** Posts an ops event (an SLA breach) as JSON to SLA_WEBHOOK_URL; a non-2xx answer is retried by BullMQ. */
@Injectable()
export class WebhookSender {
  constructor(
    private readonly outbox: Outbox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @OnJob(JobName.Webhook)
  async processOutbox({ outboxId }: JobData[JobName.Webhook]): Promise<void> {
    await this.outbox.work(outboxId, async (payload) => {
      const url = this.config.sla.webhookUrl;
      if (!url) return; // switched off since the breach: nothing to send
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'recovery-desk' },
        body: payload,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`webhook answered ${response.status}`);
    });
  }
}
