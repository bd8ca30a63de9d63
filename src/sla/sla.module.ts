import { Global, Module } from '@nestjs/common';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../common/paths.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { SLA_POLICY, SlaService } from './sla.service.js';
import { loadSlaPolicyFile } from '../tickets/workflow-policy.provider.js';

/** SLA policies (read once at boot: a bad file stops the boot with every problem listed) and the clock. */
@Global()
@Module({
  providers: [
    {
      provide: SLA_POLICY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loadSlaPolicyFile(resolve(PROJECT_ROOT, config.review.slaPolicyFile)),
    },
    SlaService,
  ],
  exports: [SLA_POLICY, SlaService],
})
export class SlaModule {}
