import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';
import { WeeklySummaryService } from './weekly-summary.service.js';

/** SLA, workload and calibration reports for ops: pages, CSV and JSON, and the weekly summary mail. */
@Module({
  imports: [AuthModule, EvidenceModule, NotificationsModule],
  controllers: [ReportsController],
  providers: [ReportsService, WeeklySummaryService],
  exports: [ReportsService, WeeklySummaryService],
})
export class ReportsModule {}
