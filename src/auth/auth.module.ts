import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { AccountController } from './account.controller.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { RolesGuard } from './roles.guard.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { StaffAdminController } from './staff-admin.controller.js';
import { StaffAdminService } from './staff-admin.service.js';

/** Staff sign-in, sessions, the role guard, one's own account page and staff administration (the session plugins are registered in createApp). */
@Module({
  imports: [RedisModule],
  controllers: [SignInController, AccountController, StaffAdminController],
  providers: [SignInService, RolesGuard, RecoveryCodesService, StaffAdminService],
  exports: [SignInService, RolesGuard],
})
export class AuthModule {}
