#!/usr/bin/env node
// `npm test`'s first step: the build (`nest build`, into dist/, which some suites start as processes)
// and the type check of everything, tests included (`tsc --noEmit`). Neither reads what the other
// writes, so they run side by side. Exits non-zero when either fails.
import { spawn } from 'node:child_process';

const run = (bin, args) => new Promise((resolve) => {
  spawn(process.execPath, [bin, ...args], { stdio: 'inherit' }).on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
});

const codes = await Promise.all([
  run('node_modules/@nestjs/cli/bin/nest.js', ['build']),
  run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.json', '--noEmit']),
]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
