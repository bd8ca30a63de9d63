import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { AccountSecurityController } from './account-security.controller.js';
import { PasskeysService } from './passkeys.service.js';
import { RolesGuard } from './roles.guard.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';
import { WebAuthnChallenges } from './webauthn-challenges.js';

/** Staff sign-in, passkeys, sessions and the role guard (the session plugins are registered in createApp). */
@Module({
  imports: [RedisModule],
  controllers: [SignInController, AccountSecurityController],
  providers: [SignInService, RolesGuard, PasskeysService, WebAuthnChallenges],
  exports: [SignInService, RolesGuard, PasskeysService],
})
export class AuthModule {}
