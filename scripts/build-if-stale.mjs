#!/usr/bin/env node
// Runs `nest build` only when something the build reads is newer than the last successful build,
// so `npm start`, `npm run cli` and the other scripts that need dist/ do not pay 15-20 s each time.
//
//   node scripts/build-if-stale.mjs           build when stale (one line says why), else print nothing
//   node scripts/build-if-stale.mjs --force   build anyway (npm run build)
//
// What the build reads: src/** (not the *.spec.ts that tsconfig.build.json leaves out; directories
// count too, so a deleted or renamed file is noticed), tsconfig*.json, nest-cli.json, package.json and
// package-lock.json. views/ is not copied into dist/ (nest-cli.json has no assets): the app reads it
// from the checkout at run time, so templates never make dist/ stale.
// After a successful build, dist/.build-stamp gets the time the build STARTED: a file saved while
// the build ran is newer than the stamp and triggers the next build.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const STAMP = 'dist/.build-stamp';

/**
 * The decision alone: build when there is no stamp, or when a source was modified at or after the
 * stamp (equal counts as newer: file systems with coarse timestamps cannot order them).
 * @param {number | null} stampMtimeMs
 * @param {{ path: string, mtimeMs: number }[]} sources  directories end with '/'
 * @returns {{ build: false } | { build: true, reason: string }}
 */
export function decideBuild(stampMtimeMs, sources) {
  if (stampMtimeMs === null) return { build: true, reason: 'dist/ has no build stamp' };
  let newest = null;
  for (const source of sources) {
    // On a tie the later entry wins: a file listed after its directory names the change better.
    if (source.mtimeMs >= stampMtimeMs && (!newest || source.mtimeMs >= newest.mtimeMs)) newest = source;
  }
  if (!newest) return { build: false };
  const what = newest.path.endsWith('/') ? `${newest.path} (a file there was added, removed or renamed)` : newest.path;
  return { build: true, reason: `dist/ is older than ${what}` };
}

/** Every input of the build with its modification time, paths relative to the project. */
function buildInputs(root) {
  const inputs = [];
  const add = (path, isDir = false) => {
    try {
      inputs.push({ path: relative(root, path) + (isDir ? '/' : ''), mtimeMs: statSync(path).mtimeMs });
      return true;
    } catch {
      return false; // an optional file (no package-lock.json yet)
    }
  };
  const walk = (dir) => {
    if (!add(dir, true)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!entry.name.endsWith('.spec.ts')) add(path);
    }
  };
  walk(join(root, 'src'));
  for (const name of readdirSync(root)) {
    if (/^tsconfig.*\.json$/.test(name)) add(join(root, name));
  }
  for (const name of ['nest-cli.json', 'package.json', 'package-lock.json']) add(join(root, name));
  return inputs;
}

function stampMtime(root) {
  try {
    return statSync(join(root, STAMP)).mtimeMs;
  } catch {
    return null;
  }
}

function main() {
  const force = process.argv.includes('--force');
  const decision = force ? { build: true, reason: null } : decideBuild(stampMtime(ROOT), buildInputs(ROOT));
  if (!decision.build) return 0;
  if (decision.reason) process.stderr.write(`${decision.reason}: building\n`);
  const started = new Date();
  // nest's own output goes to stderr, so a script's stdout (JSON lines from npm run score) stays clean.
  const result = spawnSync(join(ROOT, 'node_modules/.bin/nest'), ['build'], { cwd: ROOT, stdio: ['inherit', 2, 2] });
  if (result.error) {
    process.stderr.write(`could not run nest build: ${result.error.message} (run npm ci first)\n`);
    return 1;
  }
  if (result.status !== 0) return result.status ?? 1;
  const stamp = join(ROOT, STAMP);
  writeFileSync(stamp, `built from the sources as they were at ${started.toISOString()}\n`);
  utimesSync(stamp, started, started);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main();
}
