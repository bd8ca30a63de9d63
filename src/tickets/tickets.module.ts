import { Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../common/paths.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import type { SlaPolicy } from '../sla/sla-policy.js';
import { TicketRepository } from './ticket.repository.js';
import { TicketWriter } from './ticket-writer.service.js';
import type { RequestType } from './ticket.types.js';
import { loadSlaPolicyFile, SLA_POLICY, WORKFLOW_POLICY, workflowPolicy } from './workflow-policy.provider.js';

/** Tickets: the repository, the workflow's policy (SLA targets read once at boot) and the one writer. */
@Module({
  imports: [JobsModule, NotificationsModule],
  providers: [
    // Read once at boot: a bad file stops the boot with every problem listed.
    { provide: SLA_POLICY, inject: [APP_CONFIG], useFactory: (c: AppConfig) => loadSlaPolicyFile(resolve(PROJECT_ROOT, c.sla.policyFile)) },
    { provide: WORKFLOW_POLICY, inject: [APP_CONFIG, SLA_POLICY], useFactory: (c: AppConfig, sla: SlaPolicy<RequestType>) => workflowPolicy(c, sla) },
    TicketRepository,
    TicketWriter,
  ],
  exports: [SLA_POLICY, WORKFLOW_POLICY, TicketRepository, TicketWriter],
})
export class TicketsModule {}
