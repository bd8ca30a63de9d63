import { spawnSync } from 'node:child_process';

/**
 * Which week the summary covers must depend on REPORT_TIME_ZONE only, never on the server's zone: its
 * unit tests (and the close-unanswered rule's) run again in processes whose TZ is not UTC.
 */
describe('the weekly summary and the close-unanswered rule in a non-UTC process time zone', () => {
  it.each(['Asia/Kathmandu', 'America/St_Johns'])(
    'pass their unit tests with TZ=%s',
    (tz) => {
      const env = { ...process.env, TZ: tz };
      const offset = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(new Date(0).getTimezoneOffset()))'], { env, encoding: 'utf8' });
      expect(Number(offset.stdout)).not.toBe(0);
      const run = spawnSync(
        process.execPath,
        ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci', 'src/reports/weekly-summary.spec.ts', 'src/review-queue/unanswered.spec.ts'],
        { env, encoding: 'utf8' },
      );
      expect({ status: run.status, tail: run.stderr.split('\n').filter((l) => /Tests:|✕/.test(l)) }).toEqual({
        status: 0,
        tail: [expect.stringMatching(/Tests:\s+\d+ passed, \d+ total/)],
      });
    },
    60_000,
  );
});
