#!/usr/bin/env node
// `npm test` after its build (pretest). With no arguments: the unit specs (src/, pure, no I/O) in
// parallel Jest workers while the end-to-end suites (test/) run one at a time, as they must (they
// start servers and processes). The unit run's report is printed once it ends, in one piece, so the
// two do not interleave. Exits non-zero when either fails.
//
// With arguments (`npm test -- test/ --testPathIgnorePatterns …`, as CI's PostgreSQL pass does), they
// go to a single in-band Jest run, as before.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const JEST = ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js'];

/** Runs Jest; `buffered` collects its output and prints it when it ends. Resolves with its exit code. */
function jest(args, { buffered = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...JEST, ...args], { stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const output = [];
    if (buffered) {
      child.stdout.on('data', (d) => output.push(d));
      child.stderr.on('data', (d) => output.push(d));
    }
    child.on('exit', (code, signal) => {
      if (buffered) process.stderr.write(Buffer.concat(output));
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const args = process.argv.slice(2);
if (args.length > 0) {
  process.exitCode = await jest(['--runInBand', ...args]);
} else {
  const workers = String(Math.max(2, availableParallelism()));
  const [unit, e2e] = await Promise.all([
    jest(['--selectProjects', 'unit', '--maxWorkers', workers], { buffered: true }),
    jest(['--selectProjects', 'e2e', '--runInBand']),
  ]);
  process.exitCode = unit || e2e;
}
