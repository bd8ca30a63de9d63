#!/usr/bin/env node
// `npm test`'s first step: the build when dist/ is older than the sources (scripts/build-if-stale.mjs;
// some suites start dist/ as processes) and the type check of everything, tests included (`tsc
// --noEmit`). Neither reads what the other writes, so they run side by side. Exits non-zero when either fails.
import { spawn } from 'node:child_process';

const run = (bin, args) =>
  new Promise((resolve) => {
    spawn(process.execPath, [bin, ...args], { stdio: 'inherit' }).on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

const codes = await Promise.all([run('scripts/build-if-stale.mjs', []), run('node_modules/typescript/bin/tsc', ['-p', 'tsconfig.json', '--noEmit'])]);
process.exitCode = codes.find((code) => code !== 0) ?? 0;
