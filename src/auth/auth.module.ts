import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { AccountController } from './account.controller.js';
import { AccountSecurityController } from './account-security.controller.js';
import { PasskeysService } from './passkeys.service.js';
import { RecoveryCodesService } from './recovery-codes.service.js';
import { RolesGuard } from './roles.guard.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { StaffAdminController } from './staff-admin.controller.js';
import { StaffAdminService } from './staff-admin.service.js';
import { WebAuthnChallenges } from './webauthn-challenges.js';

/**
 * Staff sign-in, sessions, the role guard, passkeys, one's own account page and staff administration
 * (the session plugins are registered in createApp).
 */
@Module({
  imports: [RedisModule],
  controllers: [SignInController, AccountController, AccountSecurityController, StaffAdminController],
  providers: [SignInService, RolesGuard, PasskeysService, WebAuthnChallenges, RecoveryCodesService, StaffAdminService],
  exports: [SignInService, RolesGuard, PasskeysService],
})
export class AuthModule {}
