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
    // The reconciler runs when the test says (its interval is an hour), so a pass cannot race the flush.
    t = await startTestApp({ WEEKLY_SUMMARY: 'true', CLOSE_UNANSWERED_AFTER: '30d', RECONCILE_INTERVAL: '1h' });
  });
  afterAll(() => t?.close());

  it('the weekly summary, the closing of unanswered tickets and the calibration are scheduled at boot, and again after a flush', async () => {
    const expected = [JobName.CloseUnanswered, JobName.WeeklySummary, JobName.Calibrate].sort();
    await expectEventually(async () => expect(await schedulerNames(periodic())).toEqual(expected));
    const before = await periodic().getJobScheduler(JobName.WeeklySummary);
    const reconciler = t.app.get(ReconcilerService);
    await reconciler.run(); // any pass begun at boot is over once a pass started after it is

    await flushPrefix(t.env.REDIS_URL, t.env.REDIS_PREFIX);
    expect(await schedulerNames(periodic())).toEqual([]);

    // The reconciler's next pass (the interval's, here the test's) sets them again, with the same pattern and zone.
    const report = await reconciler.run();
    expect([...(report?.schedulersRestored ?? [])].sort()).toEqual(expected);
    expect(await schedulerNames(periodic())).toEqual(expected);
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
    await expectEventually(async () => expect((await periodic().getDelayed()).length).toBe(3));
    const delayedBefore = (await periodic().getDelayed()).map((job) => job.id).sort();
    const report = await reconciler.run();
    expect(report?.schedulersRestored).toEqual([]);
    expect((await periodic().getDelayed()).map((job) => job.id).sort()).toEqual(delayedBefore);
  });
});
