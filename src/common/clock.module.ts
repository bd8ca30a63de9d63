import { type DynamicModule, Module } from '@nestjs/common';
import { Clock } from './clock.js';

/** The one source of "now", global: every module reads time from it (tests swap it for a movable one). */
@Module({})
export class ClockModule {
  static forRoot(clock: Clock): DynamicModule {
    return { module: ClockModule, global: true, providers: [{ provide: Clock, useValue: clock }], exports: [Clock] };
  }
}
