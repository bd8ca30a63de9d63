import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config.js';
import { ENDPOINTS } from './fuzz/endpoints.js';
import { describeRequest, histogram, runEndpoint, SLOW_MS, type EndpointResult } from './fuzz/runner.js';

const HELP = `npm run fuzz [-- --runs N] [--endpoint NAME[,NAME…]] [--seed S] [--concurrency N]

Starts the real app (its HTTP server, workers and pipeline) and sends N generated requests (default
10,000) to each public endpoint, built with fast-check (src/bench/fuzz/arbitraries.ts, the same
generators as test/fuzz-property.e2e-spec.ts): wrong types, huge strings, deep nesting, prototype keys,
duplicate keys (raw JSON text), odd Unicode (lone surrogates, NUL, right-to-left marks, combining marks),
empty bodies, malformed JSON, wrong content types, query-string junk, and live, spent and junk tokens.
Live tokens, sessions and links are made first (tickets through the API, moderators, recoveries).

Per endpoint it prints the requests sent, the status histogram, the count of 5xx, the slowest answer and
the 99th percentile. It exits with 1 when any answer is a 5xx, takes over ${SLOW_MS / 1000} s, or never comes;
each such request is printed with the seed and its case number. The same --seed and --endpoint send the
same requests again (--runs must reach the case number).

Endpoints (--endpoint, comma-separated; default all):
${ENDPOINTS.map((e) => `  ${e.name.padEnd(24)} ${e.summary}`).join('\n')}

Options:
  --runs N          requests per endpoint (default 10000)
  --seed S          the generators' seed (default: random, printed)
  --concurrency N   requests in flight at once per endpoint (default 4)

The database is DATABASE_URL (default: a fresh SQLite file in a temporary folder; on PostgreSQL a schema
of its own, fuzz_<run>, dropped at the end); Redis is REDIS_URL under a prefix of its own (fuzz-<run>),
removed at the end. Intake rate limits are off and each request comes from a random X-Forwarded-For
address (TRUST_PROXY=true), so the per-client sign-in limit does not answer everything with a 429.
fast-check is a devDependency: run this from a checkout with dev dependencies installed (npm ci).
`;

function numberArg(name: string, fallback: number, min: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`--${name} takes a whole number of at least ${min}`);
  return value;
}

class UsageError extends Error {}

function chosenEndpoints(): typeof ENDPOINTS {
  const at = process.argv.indexOf('--endpoint');
  if (at < 0) return ENDPOINTS;
  const names = (process.argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !ENDPOINTS.some((e) => e.name === n));
  if (names.length === 0 || unknown.length) throw new UsageError(`--endpoint takes names among ${ENDPOINTS.map((e) => e.name).join(', ')}`);
  return ENDPOINTS.filter((e) => names.includes(e.name));
}

/**
 * A stand-in for GitHub: its REST API, where every branch and file is missing (404), so a check answers
 * "not found yet"; and its OAuth device flow, which hands out device codes and then answers
 * `authorization_pending` for ever (nobody approves), so a sign-in check answers "still waiting".
 */
async function fakeGitHub(): Promise<{ server: Server; url: string; oauthUrl: string }> {
  let codes = 0;
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    if (req.method === 'POST' && req.url === '/login/device/code') {
      codes++;
      return send(200, {
        device_code: `fuzz-device-code-${codes}`,
        user_code: `FUZZ-${String(codes % 10_000).padStart(4, '0')}`,
        verification_uri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/login/device`,
        expires_in: 900,
        interval: 5,
      });
    }
    if (req.method === 'POST' && req.url === '/login/oauth/access_token') return send(200, { error: 'authorization_pending' });
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url: `${origin}/api`, oauthUrl: origin };
}

/** One endpoint's figures as a Markdown table row. */
function row(r: EndpointResult): string {
  return `| ${r.name} | ${r.sent.toLocaleString('en-US')} | ${histogram(r.statuses)} | ${r.serverErrors} | ${r.slow} | ${r.maxMs.toFixed(0)} ms | ${r.p99Ms.toFixed(1)} ms |`;
}

let undo: (() => Promise<void>) | null = null;

async function main(): Promise<number> {
  if (process.argv.includes('--help')) {
    process.stdout.write(HELP);
    return 0;
  }
  const runs = numberArg('runs', 10_000, 1);
  const concurrency = numberArg('concurrency', 4, 1);
  const seed = numberArg('seed', Math.floor(Math.random() * 2 ** 31), 0);
  const endpoints = chosenEndpoints();

  const dir = mkdtempSync(join(tmpdir(), 'rd-fuzz-'));
  const runId = randomUUID().slice(0, 8);
  const postgresUrl = /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL! : null;
  const github = await fakeGitHub();
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    // Errors only: a 5xx logs its stack, the thousands of refusals log nothing.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    DEMO_DATA: 'false',
    INTAKE_RATE_LIMIT: '0',
    INTAKE_USERNAME_RATE_LIMIT: '0',
    TRUST_PROXY: 'true',
    DATABASE_URL: postgresUrl ?? `sqlite:${join(dir, 'fuzz.sqlite')}`,
    DATABASE_SCHEMA: `fuzz_${runId}`,
    MAIL_DIR: join(dir, 'mail'),
    REDIS_PREFIX: `fuzz-${runId}`,
    SECRET_KEY: 'fuzz-secret-key-that-is-long-enough-0123',
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: 'none',
    GITHUB_OAUTH_URL: github.oauthUrl,
    GITHUB_OAUTH_CLIENT_ID: 'fuzz-desk',
  };
  process.env.DATABASE_URL = env.DATABASE_URL; // entities read it when imported, below
  const config = loadConfig(env);
  const { createApp } = await import('../app.factory.js');
  const { FuzzFixtures } = await import('./fuzz/fixtures.js');
  const { FuzzHttp } = await import('./fuzz/http.js');
  let app: INestApplication | null = null;
  let http: InstanceType<typeof FuzzHttp> | null = null;
  undo = async () => {
    http?.close();
    await app?.close().catch(() => undefined);
    await new Promise((resolve) => github.server.close(resolve));
    const { removeRedisKeys } = await import('./review-queue.bench.js');
    const removed = await removeRedisKeys(config.redis.url, `${config.redis.prefix}:*`);
    process.stderr.write(`cleaned up: ${removed.toLocaleString('en-US')} Redis keys under ${config.redis.prefix}:*`);
    if (config.database.type === 'postgres') {
      const { DataSource } = await import('typeorm');
      const admin = await new DataSource({ type: 'postgres', url: config.database.url }).initialize();
      await admin.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`).finally(() => admin.destroy());
      process.stderr.write(`, schema ${env.DATABASE_SCHEMA}`);
    }
    process.stderr.write('\n');
    rmSync(dir, { recursive: true, force: true });
  };

  const database = config.database.type === 'sqlite' ? 'SQLite (WAL)' : 'PostgreSQL';
  process.stderr.write(`Fuzzing on ${database}: ${runs.toLocaleString('en-US')} requests per endpoint, ${concurrency} at a time, seed ${seed}\n`);
  app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  http = new FuzzHttp(baseUrl);
  const fixtures = new FuzzFixtures(app, http);
  await fixtures.prepare();

  const results: EndpointResult[] = [];
  for (const endpoint of endpoints) {
    const result = await runEndpoint(endpoint, fixtures, http, {
      runs,
      seed,
      concurrency,
      progress: (done) => process.stderr.write(`\r  ${endpoint.name}: ${done.toLocaleString('en-US')}/${runs.toLocaleString('en-US')}`),
    });
    process.stderr.write(
      `\r  ${endpoint.name}: ${result.sent.toLocaleString('en-US')} sent in ${result.seconds.toFixed(1)} s, ${result.serverErrors} 5xx, ${result.slow} slow, p99 ${result.p99Ms.toFixed(1)} ms\n`,
    );
    for (const failure of result.failures.slice(0, 5)) {
      process.stderr.write(
        `    FAILED case ${failure.index} (${failure.label}): ${failure.why}\n    reproduce: npm run fuzz -- --endpoint ${endpoint.name} --seed ${seed} --runs ${failure.index + 1}\n` +
          `    ${describeRequest(failure.request)}\n    answer: ${failure.response ? `${failure.response.status} ${JSON.stringify(failure.response.text.slice(0, 300))}` : 'none'}\n`,
      );
    }
    if (result.failures.length > 5) process.stderr.write(`    … and ${result.failures.length - 5} more failures\n`);
    // Each endpoint's row as soon as it is done: a long run stopped half-way still leaves its figures.
    process.stdout.write(`${row(result)}\n`);
    results.push(result);
  }

  undo = null;
  http.close();
  await app.close();
  await new Promise((resolve) => github.server.close(resolve));
  const { removeRedisKeys } = await import('./review-queue.bench.js');
  await removeRedisKeys(config.redis.url, `${config.redis.prefix}:*`);
  if (config.database.type === 'postgres') {
    const { DataSource } = await import('typeorm');
    const admin = await new DataSource({ type: 'postgres', url: config.database.url }).initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${env.DATABASE_SCHEMA}" CASCADE`).finally(() => admin.destroy());
  }
  rmSync(dir, { recursive: true, force: true });

  const failed = results.some((r) => r.failures.length > 0);
  process.stdout.write(
    `\nRecovery Desk fuzz (${database}, ${new Date().toISOString().slice(0, 10)}, seed ${seed}, ${concurrency} at a time)\n\n` +
      '| endpoint | sent | statuses | 5xx | > 2 s | max | p99 |\n| --- | ---: | --- | ---: | ---: | ---: | ---: |\n' +
      results.map(row).join('\n') +
      `\n\n${failed ? 'FAILED: some answers were 5xx, slower than 2 s or missing (above, with how to reproduce them).' : 'No 5xx, no answer over 2 s.'}\n`,
  );
  return failed ? 1 : 0;
}

// Ctrl-C half-way: the app, the PostgreSQL schema and the Redis keys of the run are removed all the same.
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: cleaning up…\n');
  void (undo?.() ?? Promise.resolve()).catch((e: unknown) => console.error('clean-up failed:', e)).finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n(npm run fuzz -- --help)\n`);
      process.exit(2);
    }
    console.error(error);
    await undo?.().catch((e: unknown) => console.error('clean-up failed:', e));
    process.exit(1);
  },
);
