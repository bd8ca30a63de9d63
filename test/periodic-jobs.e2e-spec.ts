import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { JobName, QueueName } from '../src/jobs/job.constants.js';
import { ReconcilerService } from '../src/review-queue/reconciler.service.js';
import { expectEventually, flushPrefix, startTestApp, type TestApp } from './support/test-app.js';

const schedulerNames = async (queue: Queue) => (await queue.getJobSchedulers(0, -1)).map((s) => s.key).sort();

describe('periodic jobs come back after Redis loses its data', () => {
  let t: TestApp;
  const periodic = () => t.app.get<Queue>(getQueueToken(QueueName.Periodic));

  beforeAll(async () => {
    t = await startTestApp({ WEEKLY_SUMMARY: 'true', CLOSE_UNANSWERED_AFTER: '30d', RECONCILE_INTERVAL: '1s' });
  });
  afterAll(() => t?.close());

  it('the weekly summary and the closing of unanswered tickets are scheduled at boot, and again after a flush', async () => {
    const expected = [JobName.CloseUnanswered, JobName.WeeklySummary].sort();
    await expectEventually(async () => expect(await schedulerNames(periodic())).toEqual(expected));
    const before = await periodic().getJobScheduler(JobName.WeeklySummary);

    await flushPrefix(t.env.REDIS_URL, t.env.REDIS_PREFIX);
    expect(await schedulerNames(periodic())).toEqual([]);

    // The reconciler's next passes (every second here) set them again, with the same pattern and zone.
    await expectEventually(async () => expect(await schedulerNames(periodic())).toEqual(expected), 60_000, 250);
    const after = await periodic().getJobScheduler(JobName.WeeklySummary);
    expect({ pattern: after?.pattern, tz: after?.tz }).toEqual({ pattern: before?.pattern, tz: before?.tz });
    // Each scheduler has its next run waiting again, so the job will actually run.
    await expectEventually(async () => {
      const delayed = await periodic().getDelayed();
      expect(delayed.map((job) => job.name).sort()).toEqual(expected);
    });
  });

  it('a pass that finds them present restores nothing and changes nothing', async () => {
    const reconciler = t.app.get(ReconcilerService);
    await expectEventually(async () => expect((await periodic().getDelayed()).length).toBe(2));
    const delayedBefore = (await periodic().getDelayed()).map((job) => job.id).sort();
    const report = await reconciler.run();
    expect(report?.schedulersRestored).toEqual([]);
    expect((await periodic().getDelayed()).map((job) => job.id).sort()).toEqual(delayedBefore);
  });
});
