import 'reflect-metadata';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import type { ChildProcess } from 'node:child_process';
import { redisAnswers, redisServerInstalled, startPrivateRedis, stopPrivateRedis } from './redis/private-redis.js';

const HELP = `Recovery Desk: account recovery support desk.

Usage: npm start            (builds, then runs node dist/main.js)
       node dist/main.js [--help]

Configuration comes from the environment; see .env.example for every variable and its default.
  ROLE=all|web|worker   what this process runs (default all)
  PORT, HOST            where the web server listens (default 127.0.0.1:3000)
  DATABASE_URL          sqlite:<file> (default sqlite:var/recovery-desk.sqlite) or postgres://…
  REDIS_URL             default redis://127.0.0.1:6379. When nothing answers there and redis-server
                        is installed, a private Redis is started under ./var/redis for this run.
  DEMO_DATA             load a demo account directory on first start (default on in development)
  GITHUB_API_URL        where repository challenges are checked (default https://api.github.com)
  GITLAB_API_URL        where repository challenges on GITLAB_HOST (default gitlab.com) are checked
                        (default https://gitlab.com/api/v4)
  GITHUB_OAUTH_CLIENT_ID the desk's GitHub OAuth app for the linked-identity check (default none: not offered)
  EXPIRED_DOMAINS       domains whose addresses are no evidence and get no codes (default none)
  SLA_POLICY_FILE       SLA targets per request type (default config/sla-policy.json)
  LEASE_DURATION        how long a moderator's claim lasts without activity (default 15m)
  RECONCILE_INTERVAL    how often Redis is rebuilt from SQL where it differs (default 60s)
  REVIEW_API_TOKEN      opens the staff review API /api/v1/review (default none: closed)
  METRICS_TOKEN         makes GET /metrics require Authorization: Bearer <token> (default none: open)
  SESSION_TTL           how long a moderator's sign-in lasts in all, however active (default 8h)
  SESSION_IDLE          how long a sign-in lasts without a staff request (default 15m)
  COOLING_OFF           wait between approval and reset link (default 24h)
  COOLING_OFF_LONG      the longer wait: high value, new channel, nothing proven (default 72h)
  RESET_LINK_TTL        how long a reset link works, at most 24h (default 24h)
  REPLY_TEMPLATES_FILE  denial and question templates (default config/reply-templates.json)
  REPORT_TIME_ZONE      the zone whose days the reports count in (default UTC)
  WEEKLY_SUMMARY        mail ops a summary of the last seven days (default true)
  WEEKLY_SUMMARY_CRON   when, a cron pattern in REPORT_TIME_ZONE (default "0 8 * * 1": Mondays 08:00)
  CLOSE_UNANSWERED_AFTER close tickets waiting on the requester this long (default 30d; never)
  SHUTDOWN_TIMEOUT      how long SIGTERM/SIGINT may take before the process exits 1 anyway (default 10s)
  HTTP_REQUEST_TIMEOUT  a request must arrive whole within this, or it gets 408 (default 30s)
  HTTP_CONNECTION_TIMEOUT, HTTP_KEEP_ALIVE_TIMEOUT   idle connections close after these (60s, 5s)
  REQUESTER_MESSAGES_PER_TICKET  messages and repeated requests one ticket takes (default 50)
  HIGH_VALUE_ROLES      project roles that make an account high value (default Owner,Maintainer)
`;

/** Returns the private redis-server it started, if it had to start one. */
async function ensureRedis(config: AppConfig): Promise<ChildProcess | null> {
  if (await redisAnswers(config.redis.url)) return null;
  if (!redisServerInstalled()) {
    console.error(`No Redis answers at ${config.redis.url}, and redis-server is not installed.
Install one and start again:
  Debian/Ubuntu:  sudo apt-get install -y redis-server
  macOS:          brew install redis
or point REDIS_URL at a running Redis.`);
    process.exit(1);
  }
  console.log(`No Redis at ${config.redis.url}: starting a private redis-server under ./var/redis`);
  return startPrivateRedis(config.redis.url);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const privateRedis = await ensureRedis(config);
  // Entities read DATABASE_URL when first imported, so the app is loaded only now.
  const { createApp } = await import('./app.factory.js');
  const { Logger } = await import('nestjs-pino');
  const { Shutdown } = await import('./common/shutdown.js');
  const app = await createApp(config);
  const logger = app.get(Logger);
  const shutdown = app.get(Shutdown);
  // The exit code is set before exiting: process.exit, not the end of the event loop, ends the process,
  // since a client retrying an absent Redis keeps the loop alive for ever.
  const exit = (code: number) => {
    process.exitCode = code;
    process.exit(code);
  };
  // Close the HTTP server (requests in flight finish), then the app (workers, queues, Redis, the database),
  // then the private Redis, each within its deadline; the whole within SHUTDOWN_TIMEOUT, or exit 1 saying
  // what was still closing. Exit 0 only when everything closed in time.
  const stop = async (signal: string) => {
    shutdown.begin();
    logger.log(`${signal} received: shutting down (SHUTDOWN_TIMEOUT ${config.shutdown.timeoutMs} ms)`);
    setTimeout(() => {
      logger.error(
        `shutdown did not finish within ${config.shutdown.timeoutMs} ms; still open: ${shutdown.stillOpen().join(', ') || 'none'}; ` +
          `forced: ${shutdown.missed().join(', ') || 'none'}; exiting with code 1`,
      );
      exit(1);
    }, shutdown.msLeft());
    try {
      if (config.role !== 'worker') {
        await shutdown.drain(
          'HTTP server',
          async () => {
            await (app.getHttpAdapter().close() as Promise<void>);
          },
          () => app.getHttpServer().closeAllConnections(),
        );
      }
      await app.close();
      if (privateRedis) await shutdown.release('private redis-server', () => stopPrivateRedis(privateRedis));
    } catch (error) {
      logger.error(`shutdown failed: ${(error as Error).stack ?? String(error)}`);
      exit(1);
    }
    const missed = shutdown.missed();
    if (missed.length > 0) {
      logger.error(`shut down, but these did not close in time and were forced: ${missed.join(', ')}; exiting with code 1`);
      exit(1);
    }
    exit(0);
  };
  process.once('SIGTERM', (signal) => void stop(signal));
  process.once('SIGINT', (signal) => void stop(signal));
  if (config.role === 'worker') {
    await app.init();
    logger.log('worker started (ROLE=worker)');
    return;
  }
  await app.listen(config.port, config.host);
  logger.log(`Recovery Desk listening on ${config.publicBaseUrl} (ROLE=${config.role})`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
