import { Module } from '@nestjs/common';
import { AuditLog } from './audit-log.service.js';

/** The audit log: appended to inside each feature's transaction (appendAudit), read and verified here. */
@Module({
  providers: [AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
