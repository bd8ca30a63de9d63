import { type DynamicModule, Module } from '@nestjs/common';
import { Shutdown } from './shutdown.js';

/** The app's one Shutdown, global: every module that closes something asks it for a deadline. */
@Module({})
export class ShutdownModule {
  static forRoot(timeoutMs: number): DynamicModule {
    return { module: ShutdownModule, global: true, providers: [{ provide: Shutdown, useValue: new Shutdown(timeoutMs) }], exports: [Shutdown] };
  }
}
