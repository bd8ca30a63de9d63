import { Module } from '@nestjs/common';
import { RedisModule } from '../redis/redis.module.js';
import { RolesGuard } from './roles.guard.js';
import { SignInController } from './sign-in.controller.js';
import { SignInService } from './sign-in.service.js';

/** Staff sign-in, sessions and the role guard (the session plugins are registered in createApp). */
@Module({
  imports: [RedisModule],
  controllers: [SignInController],
  providers: [SignInService, RolesGuard],
  exports: [SignInService, RolesGuard],
})
export class AuthModule {}
