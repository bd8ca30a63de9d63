import { spawnSync } from 'node:child_process';

/**
 * The SLA arithmetic must not depend on the server's time zone: its unit tests run again here in a
 * process whose TZ is Asia/Kathmandu (+05:45, no DST) and in America/St_Johns (-03:30, with DST).
 */
describe('SLA arithmetic in a non-UTC process time zone', () => {
  it.each(['Asia/Kathmandu', 'America/St_Johns'])(
    'passes every SLA unit test with TZ=%s',
    (tz) => {
      const env = { ...process.env, TZ: tz };
      // The zone really applies to a child process (so the run below is not UTC in disguise).
      const offset = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(new Date(0).getTimezoneOffset()))'], { env, encoding: 'utf8' });
      expect(Number(offset.stdout)).not.toBe(0);
      const run = spawnSync(
        process.execPath,
        [
          '--experimental-vm-modules',
          'node_modules/jest/bin/jest.js',
          '--ci',
          'src/sla/calendar.spec.ts',
          'src/sla/calendar-dst.spec.ts',
          'src/sla/sla-clock.spec.ts',
          'src/sla/sla-policy.spec.ts',
        ],
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
