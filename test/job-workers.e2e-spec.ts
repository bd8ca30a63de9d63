import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SystemClock } from '../src/common/clock.js';
import { ClockModule } from '../src/common/clock.module.js';
import { ShutdownModule } from '../src/common/shutdown.module.js';
import { loadConfig } from '../src/config/app-config.js';
import { ConfigModule } from '../src/config/config.module.js';
import { DatabaseModule } from '../src/database/database.module.js';
import { ENTITIES } from '../src/entities.js';
import { JobName } from '../src/jobs/job.constants.js';
import { OnJob } from '../src/jobs/job-handlers.js';
import { JobsModule } from '../src/jobs/jobs.module.js';
import { disposeEnv, isolatedEnv } from './support/test-app.js';

/** Handles every job name but the weekly summary: as if a module that handles it had been left out. */
@Injectable()
class AllButTheWeeklySummary {
  @OnJob(JobName.SendMail) async mail(): Promise<void> {}
  @OnJob(JobName.Assess) async assess(): Promise<void> {}
  @OnJob(JobName.Sync) async sync(): Promise<void> {}
  @OnJob(JobName.Webhook) async webhook(): Promise<void> {}
  @OnJob(JobName.SlaCheck) async sla(): Promise<void> {}
  @OnJob(JobName.LeaseExpiry) async lease(): Promise<void> {}
  @OnJob(JobName.CoolingOffEnd) async coolingOff(): Promise<void> {}
  @OnJob(JobName.CloseUnanswered) async closeUnanswered(): Promise<void> {}
  @OnJob(JobName.Calibrate) async calibrate(): Promise<void> {}
}

@Injectable()
class TheWeeklySummary {
  @OnJob(JobName.WeeklySummary) async weekly(): Promise<void> {}
}

describe('job workers at boot', () => {
  const envs: Array<Record<string, string>> = [];
  afterAll(async () => {
    for (const env of envs) await disposeEnv(env);
  });

  async function boot(role: 'worker' | 'web', handlers: Array<new () => object>) {
    const env = isolatedEnv({ ROLE: role });
    envs.push(env);
    const config = loadConfig(env);
    // No HTTP server: a worker process only initialises its modules (the testing module is that context).
    return Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(config),
        ClockModule.forRoot(new SystemClock()),
        ShutdownModule.forRoot(config.shutdown.timeoutMs),
        DatabaseModule.forRoot(ENTITIES),
        JobsModule,
      ],
      providers: handlers,
    }).compile();
  }

  it('refuses to start a worker process when a job name has no handler, naming it', async () => {
    const app = await boot('worker', [AllButTheWeeklySummary]);
    await expect(app.init()).rejects.toThrow('job "weekly-summary" of queue "periodic" has no handler');
    await app.close();
  });

  it('refuses a job name with two handlers', async () => {
    const app = await boot('worker', [AllButTheWeeklySummary, TheWeeklySummary, class Twice extends TheWeeklySummary {}]);
    await expect(app.init()).rejects.toThrow('job "weekly-summary" has 2 handlers');
    await app.close();
  });

  it('starts when every job name has its handler', async () => {
    const app = await boot('worker', [AllButTheWeeklySummary, TheWeeklySummary]);
    await expect(app.init()).resolves.toBeDefined();
    await app.close();
  });

  it('starts a web process, which runs no workers, whatever the handlers', async () => {
    const app = await boot('web', [AllButTheWeeklySummary]);
    await expect(app.init()).resolves.toBeDefined();
    await app.close();
  });
});
