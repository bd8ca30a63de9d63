import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { AuditLog } from './audit-log.service.js';
import { AuditPageController } from './audit-page.controller.js';
import { AuditViewService } from './audit-view.service.js';

/** The audit log (appended to by every feature, hence global) and its admin page. */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [AuditPageController],
  providers: [AuditLog, AuditViewService],
  exports: [AuditLog],
})
export class AuditModule {}
