import { JOB_QUEUE, JobName, QueueName, WORKED_QUEUES } from './job.constants.js';
import { handledJob, handlerProblems, OnJob } from './job-handlers.js';

const WORKED = Object.keys(WORKED_QUEUES) as QueueName[];
const ALL_WORKED = Object.values(JobName).filter((name) => WORKED.includes(JOB_QUEUE[name]));

describe('job handlers', () => {
  it('has every job of every worked queue handled when each has one handler', () => {
    expect(handlerProblems(ALL_WORKED, WORKED)).toEqual([]);
  });

  it('names each job of a worked queue that has no handler', () => {
    expect(
      handlerProblems(
        ALL_WORKED.filter((n) => n !== JobName.WeeklySummary && n !== JobName.Sync),
        WORKED,
      ),
    ).toEqual(['job "sync" of queue "review" has no handler', 'job "weekly-summary" of queue "periodic" has no handler']);
  });

  it('needs no handler for the dispatch queue, which "work next" takes by hand', () => {
    expect(WORKED).not.toContain(QueueName.Dispatch);
    expect(handlerProblems(ALL_WORKED, WORKED).join()).not.toContain('dispatch');
  });

  it('names a job with two handlers', () => {
    expect(handlerProblems([...ALL_WORKED, JobName.Assess], WORKED)).toEqual(['job "assess" has 2 handlers']);
  });

  it('reads the job name an @OnJob method handles', () => {
    class Handlers {
      @OnJob(JobName.LeaseExpiry)
      async expire(): Promise<void> {}

      async plain(): Promise<void> {}
    }
    expect(handledJob(Handlers.prototype.expire)).toBe(JobName.LeaseExpiry);
    expect(handledJob(Handlers.prototype.plain)).toBeUndefined();
    expect(handledJob(undefined)).toBeUndefined();
  });
});
