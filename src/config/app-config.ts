import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDuration } from './duration.js';
import { isValidTimeZone } from './time-zone.js';

export type NodeEnv = 'development' | 'production' | 'test';

/**
 * Where TEST_PAUSE_BEFORE_COMMIT may hold a job with its writes made and not yet committed, so that the
 * fault suite can kill a worker there (docs/operations.md, "Fault suite"). Refused outside NODE_ENV=test.
 */
export const TEST_PAUSE_POINTS = ['sla-breach', 'reset-link'] as const;
export type TestPausePoint = (typeof TEST_PAUSE_POINTS)[number];
export type Role = 'all' | 'web' | 'worker';

export type DatabaseConfig =
  { type: 'sqlite'; path: string; synchronous: 'NORMAL' | 'FULL'; busyTimeoutMs: number } | { type: 'postgres'; url: string; schema?: string };

/** The one typed configuration object; everything else reads this, never process.env. */
export interface AppConfig {
  nodeEnv: NodeEnv;
  role: Role;
  host: string;
  port: number;
  publicBaseUrl: string;
  /**
   * How long the web server waits on a client (src/app.factory.ts). Fastify's defaults wait forever
   * for a request that trickles in, so a few hundred slow sockets could hold the server's connections.
   */
  http: {
    /** The whole request, headers and body, must arrive within this. */
    requestTimeoutMs: number;
    /** A socket with no traffic either way this long is closed; longer than the slowest page takes to answer. */
    connectionTimeoutMs: number;
    /** An idle kept-alive socket is closed after this. */
    keepAliveTimeoutMs: number;
  };
  database: DatabaseConfig;
  redis: { url: string; prefix: string };
  secretKey: Buffer;
  /**
   * Staff sign-in sessions (docs/security.md #18): a session ends after `idleMs` without a request to a
   * staff page, and `ttlMs` after the sign-in however active it was.
   */
  session: { idleMs: number; ttlMs: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  demoData: boolean;
  intake: {
    ratePerHourPerClient: number;
    ratePerDayPerUsername: number;
    trustProxy: boolean;
    /**
     * Messages and repeated requests one ticket takes from its requester (src/intake/requester-additions.ts):
     * each is kept, assessed again and shown on the status page, so an unbounded stream would grow them all.
     */
    messagesPerTicket: number;
  };
  mail: { smtpUrl: string | null; dir: string; from: string };
  /**
   * The outbox relay's pass interval (src/jobs/): rows written while Redis was away go out then. And how long
   * a running job stays locked to its worker without a renewal: a job whose worker died is taken again by
   * another worker 1 to 2 times `lockDurationMs` later (BullMQ's stalled jobs; docs/security.md #23).
   */
  jobs: { outboxRelayIntervalMs: number; lockDurationMs: number };
  /**
   * How long SIGTERM/SIGINT may take in all (src/common/shutdown.ts): past it the process logs what was
   * still closing and exits 1, so a deploy during a Redis outage never hangs.
   */
  shutdown: { timeoutMs: number };
  evidence: {
    /** An account in `highValueRoles` on a project with at least this many monthly downloads: a high-value account. */
    highValueMonthlyDownloads: number;
    highValueRoles: ('Owner' | 'Maintainer')[];
    /** Domains known expired or in redemption (docs/security.md #6): addresses on them are no evidence. */
    expiredDomains: string[];
    emailChallengeTtlMs: number;
    emailChallengeAttempts: number;
    repositoryChallengeTtlMs: number;
    /** GitHub's REST API (or a stand-in in tests); the token is optional and raises the rate limit. */
    githubApiUrl: string;
    githubToken: string | null;
    /** Requests this far back are compared with a new one for takeover-campaign signals (src/scoring/campaign.ts). */
    campaignWindowMs: number;
    /** GitLab's REST API v4 (or a stand-in in tests), the host whose repositories it checks, and an optional read-only token. */
    gitlabApiUrl: string;
    gitlabHost: string;
    gitlabToken: string | null;
    /**
     * GitHub's OAuth endpoints (`/login/device/code`, `/login/oauth/access_token`) and the desk's OAuth app
     * for the linked-identity check (device flow, no client secret); null: the check is not offered.
     */
    githubOauthUrl: string;
    githubOauthClientId: string | null;
  };
  /**
   * The trusted-publisher challenge (src/evidence/trusted-publisher.service.ts): whose OIDC tokens count
   * (GitHub Actions, or a stand-in issuer in tests), where its keys are, how long a nonce lives and how
   * many tokens may be tried against it.
   */
  trustedPublishers: { issuer: string; jwksUrl: string; challengeTtlMs: number; attempts: number };
  /** The SLA (src/tickets/ applies it): targets per request type, and where breaches are posted. */
  sla: {
    /** The SLA policy file (src/sla/sla-policy.ts); relative paths from the app's folder. */
    policyFile: string;
    webhookUrl: string | null;
  };
  /** The moderators' queue (src/review-queue/). */
  review: {
    leaseMs: number;
    reconcileIntervalMs: number;
    /** Tickets with proven control (recommendation approve) go ahead of the in-turn tier. */
    fastLane: boolean;
    /** Bearer token of the staff review API (work next, release…); null keeps the API closed. */
    apiToken: string | null;
    /** A ticket waiting on the requester this long is closed without an answer (an hourly job); null: never. */
    closeUnansweredMs: number | null;
  };
  /** Where the desk's own people are told things (breaches, the weekly summary) and the contact in mails. */
  ops: { email: string };
  /**
   * Bearer token that /metrics requires; null leaves it open, for a scraper on a private network or
   * behind a proxy that already restricts it.
   */
  metrics: { token: string | null };
  /** Cooling-off and reset links (src/resets/, src/resets/approval-policy.ts). */
  resets: {
    /** Waiting period between the (last) approval and the reset link. */
    coolingOffMs: number;
    /** The longer waiting period: high-value accounts, and when no control of an address on file was proven. */
    coolingOffLongMs: number;
    /** How long a reset link works (at most 24 h: docs/security.md #8). */
    resetLinkTtlMs: number;
  };
  /** The staff dashboard (src/moderation/). */
  moderation: {
    /** Reply templates for denials and questions (src/moderation/reply-templates.ts). */
    replyTemplatesFile: string;
  };
  /** Ops reports (src/reports/). */
  reports: {
    /** The zone whose local days the reports count in, unless the page asks for another. */
    timeZone: string;
    /** Mail ops a summary of the last seven days (a BullMQ job scheduler). */
    weeklySummary: boolean;
    /** When, as a cron pattern in `timeZone`. */
    weeklySummaryCron: string;
  };
  /** Test-only hooks: empty unless NODE_ENV=test (docs/operations.md, "Fault suite"). */
  testing: { pauseBeforeCommit: TestPausePoint[] };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `Invalid environment: ${p}`).join('\n'));
  }
}

type Env = Record<string, string | undefined>;

/** A URL's password, if any, masked: configuration errors are printed at boot. */
function withoutPassword(raw: string): string {
  try {
    const u = new URL(raw);
    if (!u.password) return raw;
    u.password = '***';
    return u.toString();
  } catch {
    return raw;
  }
}

/** What a parser returns for a value it refuses: the reason, shown after the value. */
class Invalid {
  constructor(readonly expected: string) {}
}
type Parser<T> = (raw: string) => T | Invalid;

const oneOf =
  <T extends string>(...allowed: T[]): Parser<T> =>
  (raw) =>
    (allowed as string[]).includes(raw) ? (raw as T) : new Invalid(`one of ${allowed.join(', ')}`);
const int =
  (min: number, max: number): Parser<number> =>
  (raw) =>
    /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : new Invalid(`an integer from ${min} to ${max}`);
const bool: Parser<boolean> = (raw) =>
  ['true', '1', 'yes', 'on'].includes(raw.toLowerCase())
    ? true
    : ['false', '0', 'no', 'off'].includes(raw.toLowerCase())
      ? false
      : new Invalid('true or false');
/** Five fields (minute hour day month weekday) of digits, ranges, lists, steps, `*` or day names. */
const CRON = /^(?:[\d*/,A-Za-z-]+\s+){4}[\d*/,A-Za-z-]+$/;

const duration: Parser<number> = (raw) => parseDuration(raw) ?? new Invalid('a duration such as 5s, 15m, 72h or 14d');
const url =
  (...protocols: string[]): Parser<string> =>
  (raw) => {
    const expected = new Invalid(`a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`);
    try {
      return protocols.includes(new URL(raw).protocol) ? raw.replace(/\/+$/, '') : expected;
    } catch {
      return expected;
    }
  };
const matches =
  (pattern: RegExp, expected: string): Parser<string> =>
  (raw) =>
    pattern.test(raw) ? raw : new Invalid(expected);
const domainList: Parser<string[]> = (raw) => {
  if (raw === 'none') return [];
  const domains = raw
    .split(',')
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);
  const bad = domains.find((d) => !/^(?=.{1,253}$)[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d));
  return bad === undefined ? domains : new Invalid(`domain names separated by commas ("${bad}" is not one)`);
};
const databaseUrl: Parser<DatabaseConfig> = (raw) => {
  if (raw.startsWith('sqlite:') && raw.length > 'sqlite:'.length) {
    return { type: 'sqlite', path: raw.slice('sqlite:'.length), synchronous: 'NORMAL', busyTimeoutMs: 5000 };
  }
  if (/^postgres(ql)?:\/\/./.test(raw) && !(url('postgres:', 'postgresql:')(raw) instanceof Invalid)) {
    return { type: 'postgres', url: raw };
  }
  return new Invalid('sqlite:<file path> or postgres://user@host:port/database');
};

/**
 * Reads and validates the environment. Every bad variable is reported, one line each,
 * as `NAME=value (what is expected)`, so one failed boot shows every mistake at once.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  const read = <T>(name: string, fallback: string, parse: Parser<T>): T => {
    const given = env[name];
    const raw = given === undefined || given.trim() === '' ? fallback : given.trim();
    const value = parse(raw);
    if (value instanceof Invalid) {
      // Never echo a secret into boot logs.
      const shown = ['SECRET_KEY', 'GITHUB_TOKEN', 'GITLAB_TOKEN', 'REVIEW_API_TOKEN', 'METRICS_TOKEN'].includes(name)
        ? '<hidden>'
        : JSON.stringify(withoutPassword(given ?? ''));
      problems.push(`${name}=${shown} (expected ${value.expected})`);
      return undefined as T;
    }
    return value;
  };

  const nodeEnv = read<NodeEnv>('NODE_ENV', 'development', oneOf('development', 'production', 'test'));
  const role = read<Role>('ROLE', 'all', oneOf('all', 'web', 'worker'));
  const host = read('HOST', '127.0.0.1', matches(/^[A-Za-z0-9.:-]+$/, 'a host name or IP address'));
  const port = read('PORT', '3000', int(0, 65535));
  const publicBaseUrl = read('PUBLIC_BASE_URL', `http://localhost:${port ?? 3000}`, url('http:', 'https:'));
  // Zero would mean "wait forever": exactly what the timeouts are there to prevent.
  const httpTimeout: Parser<number> = (raw) => {
    const ms = duration(raw);
    return ms instanceof Invalid || (ms >= 1000 && ms <= 3_600_000) ? ms : new Invalid('a duration from 1s to 1h');
  };
  const requestTimeoutMs = read('HTTP_REQUEST_TIMEOUT', '30s', httpTimeout);
  const connectionTimeoutMs = read('HTTP_CONNECTION_TIMEOUT', '60s', httpTimeout);
  const keepAliveTimeoutMs = read('HTTP_KEEP_ALIVE_TIMEOUT', '5s', httpTimeout);
  const database = read('DATABASE_URL', 'sqlite:var/recovery-desk.sqlite', databaseUrl);
  const synchronous = read('SQLITE_SYNCHRONOUS', 'NORMAL', (raw) => oneOf('NORMAL', 'FULL')(raw.toUpperCase()));
  const busyTimeoutMs = read('SQLITE_BUSY_TIMEOUT', '5s', duration);
  const pgSchema = read('DATABASE_SCHEMA', 'public', matches(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case PostgreSQL schema name'));
  const redisUrl = read('REDIS_URL', 'redis://127.0.0.1:6379', url('redis:', 'rediss:'));
  const redisPrefix = read('REDIS_PREFIX', 'rd', matches(/^[A-Za-z0-9_.-]{1,40}$/, '1-40 letters, digits, dots, dashes or underscores'));
  const logLevel = read<AppConfig['logLevel']>('LOG_LEVEL', 'info', (raw) =>
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')(raw.toLowerCase()),
  );
  const demoData = read('DEMO_DATA', nodeEnv === 'development' ? 'true' : 'false', bool);
  const ratePerHourPerClient = read('INTAKE_RATE_LIMIT', '5', int(0, 1_000_000));
  const ratePerDayPerUsername = read('INTAKE_USERNAME_RATE_LIMIT', '5', int(0, 1_000_000));
  const trustProxy = read('TRUST_PROXY', 'false', bool);
  const messagesPerTicket = read('REQUESTER_MESSAGES_PER_TICKET', '50', int(1, 10_000));
  const smtpUrl = read<string | null>('SMTP_URL', 'none', (raw) => (raw === 'none' ? null : url('smtp:', 'smtps:')(raw)));
  const mailDir = read('MAIL_DIR', 'var/mail', matches(/^[^\0]+$/, 'a directory path'));
  const mailFrom = read(
    'MAIL_FROM',
    'Recovery Desk <recovery@localhost>',
    matches(/^(?:[^\r\n<>]{0,100}<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'an address such as "Desk <desk@example.org>"'),
  );
  const outboxRelayIntervalMs = read('OUTBOX_RELAY_INTERVAL', '5s', duration);
  // Renewed every half of it: below 5 s a busy event loop could lose the lock of a job still running.
  const lockDurationMs = read('JOB_LOCK_DURATION', '30s', (raw) => {
    const ms = duration(raw);
    return ms instanceof Invalid || (ms >= 5000 && ms <= 600_000) ? ms : new Invalid('a duration from 5s to 10m');
  });
  // Under a second nothing could drain; over ten minutes a deploy waits on a process that will not stop.
  const shutdownTimeoutMs = read('SHUTDOWN_TIMEOUT', '10s', (raw) => {
    const ms = duration(raw);
    return ms instanceof Invalid || (ms >= 1000 && ms <= 600_000) ? ms : new Invalid('a duration from 1s to 10m');
  });
  const campaignWindowMs = read('CAMPAIGN_WINDOW', '24h', duration);
  const highValueMonthlyDownloads = read('HIGH_VALUE_MONTHLY_DOWNLOADS', '1000000', int(1, Number.MAX_SAFE_INTEGER));
  const highValueRoles = read<('Owner' | 'Maintainer')[]>('HIGH_VALUE_ROLES', 'Owner,Maintainer', (raw) => {
    const roles = [
      ...new Set(
        raw
          .split(',')
          .map((r) => r.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    return roles.length > 0 && roles.every((r) => r === 'owner' || r === 'maintainer')
      ? roles.map((r) => (r === 'owner' ? 'Owner' : 'Maintainer'))
      : new Invalid('Owner, Maintainer or both, separated by a comma');
  });
  const expiredDomains = read('EXPIRED_DOMAINS', 'none', domainList);
  const emailChallengeTtlMs = read('EMAIL_CHALLENGE_TTL', '30m', duration);
  const emailChallengeAttempts = read('EMAIL_CHALLENGE_ATTEMPTS', '5', int(1, 20));
  const repositoryChallengeTtlMs = read('REPOSITORY_CHALLENGE_TTL', '14d', duration);
  const githubApiUrl = read('GITHUB_API_URL', 'https://api.github.com', url('http:', 'https:'));
  const githubToken = read<string | null>('GITHUB_TOKEN', 'none', (raw) =>
    raw === 'none' ? null : /^[A-Za-z0-9_]{20,255}$/.test(raw) ? raw : new Invalid('a GitHub token (letters, digits, underscores)'),
  );
  const oidcIssuer = read('OIDC_ISSUER', 'https://token.actions.githubusercontent.com', url('http:', 'https:'));
  const oidcJwksUrl = read('OIDC_JWKS_URL', `${oidcIssuer ?? 'https://token.actions.githubusercontent.com'}/.well-known/jwks`, url('http:', 'https:'));
  const publisherChallengeTtlMs = read('PUBLISHER_CHALLENGE_TTL', '1h', (raw) => {
    const ms = duration(raw);
    return ms instanceof Invalid || (ms >= 60_000 && ms <= 86_400_000) ? ms : new Invalid('a duration from 1m to 24h');
  });
  const publisherChallengeAttempts = read('PUBLISHER_CHALLENGE_ATTEMPTS', '5', int(1, 20));
  const gitlabApiUrl = read('GITLAB_API_URL', 'https://gitlab.com/api/v4', url('http:', 'https:'));
  const gitlabHost = read('GITLAB_HOST', 'gitlab.com', (raw) =>
    /^[a-z0-9.-]+(:\d+)?$/.test(raw) ? raw : new Invalid('a host name in lower case, with an optional :port (e.g. gitlab.example.org)'),
  );
  const gitlabToken = read<string | null>('GITLAB_TOKEN', 'none', (raw) =>
    raw === 'none' ? null : /^[A-Za-z0-9_-]{20,255}$/.test(raw) ? raw : new Invalid('a GitLab token (letters, digits, _ and -)'),
  );
  const githubOauthUrl = read('GITHUB_OAUTH_URL', 'https://github.com', url('http:', 'https:'));
  const githubOauthClientId = read<string | null>('GITHUB_OAUTH_CLIENT_ID', 'none', (raw) =>
    raw === 'none' ? null : /^[A-Za-z0-9._-]{4,100}$/.test(raw) ? raw : new Invalid("a GitHub OAuth app's client id (letters, digits, . _ -)"),
  );
  const slaPolicyFile = read('SLA_POLICY_FILE', 'config/sla-policy.json', matches(/^[^\0]+$/, 'a file path'));
  const leaseMs = read('LEASE_DURATION', '15m', duration);
  const reconcileIntervalMs = read('RECONCILE_INTERVAL', '60s', duration);
  const fastLane = read('FAST_LANE', 'false', bool);
  const opsEmail = read('OPS_EMAIL', 'ops@localhost', matches(/^[^\s@<>]+@[^\s@<>]+$/, 'an e-mail address'));
  const slaWebhookUrl = read<string | null>('SLA_WEBHOOK_URL', 'none', (raw) => (raw === 'none' ? null : url('http:', 'https:')(raw)));
  const apiToken = read<string | null>('REVIEW_API_TOKEN', 'none', (raw) =>
    raw === 'none' ? null : /^[\x21-\x7e]{32,200}$/.test(raw) ? raw : new Invalid('at least 32 printable characters, no spaces'),
  );
  const metricsToken = read<string | null>('METRICS_TOKEN', 'none', (raw) =>
    raw === 'none' ? null : /^[\x21-\x7e]{32,200}$/.test(raw) ? raw : new Invalid('at least 32 printable characters, no spaces'),
  );
  const coolingOffMs = read('COOLING_OFF', '24h', duration);
  const coolingOffLongMs = read('COOLING_OFF_LONG', '72h', duration);
  const reportTimeZone = read('REPORT_TIME_ZONE', 'UTC', (raw) => (isValidTimeZone(raw) ? raw : new Invalid('an IANA time zone such as UTC or Europe/Berlin')));
  const weeklySummary = read('WEEKLY_SUMMARY', 'true', bool);
  const weeklySummaryCron = read('WEEKLY_SUMMARY_CRON', '0 8 * * 1', matches(CRON, 'a cron pattern of five fields, such as "0 8 * * 1"'));
  const closeUnansweredMs = read<number | null>('CLOSE_UNANSWERED_AFTER', '30d', (raw) => {
    if (raw === 'never') return null;
    const ms = duration(raw);
    return ms instanceof Invalid || ms >= 86_400_000 ? ms : new Invalid('a duration of at least 1d, or never');
  });
  const replyTemplatesFile = read('REPLY_TEMPLATES_FILE', 'config/reply-templates.json', matches(/^[^\0]+$/, 'a file path'));
  // Under a minute a moderator is signed out while typing; over a day a left-open tab stays a way in.
  const sessionDuration: Parser<number> = (raw) => {
    const ms = duration(raw);
    return ms instanceof Invalid || (ms >= 60_000 && ms <= 86_400_000) ? ms : new Invalid('a duration from 1m to 24h');
  };
  const sessionTtlMs = read('SESSION_TTL', '8h', sessionDuration);
  // A reset link lives at most 24 hours (docs/security.md #8), and at least a minute.
  const resetLinkTtlMs = read('RESET_LINK_TTL', '24h', sessionDuration);
  const sessionIdleMs = read('SESSION_IDLE', '15m', (raw) => {
    const ms = sessionDuration(raw);
    return ms instanceof Invalid || sessionTtlMs === undefined || ms <= sessionTtlMs ? ms : new Invalid('a duration from 1m to 24h, at most SESSION_TTL');
  });
  const secretKey = read<Buffer | null>('SECRET_KEY', 'none', (raw) =>
    raw === 'none' ? null : raw.length >= 32 ? Buffer.from(raw, 'utf8') : new Invalid('at least 32 characters'),
  );
  if (typeof coolingOffMs === 'number' && typeof coolingOffLongMs === 'number' && coolingOffLongMs < coolingOffMs) {
    problems.push(`COOLING_OFF_LONG="${env.COOLING_OFF_LONG ?? '72h'}" (expected at least COOLING_OFF)`);
  }
  const pauseBeforeCommit = read<TestPausePoint[]>('TEST_PAUSE_BEFORE_COMMIT', 'none', (raw) => {
    if (raw === 'none') return [];
    const points = raw.split(',').map((p) => p.trim());
    return points.every((p): p is TestPausePoint => (TEST_PAUSE_POINTS as readonly string[]).includes(p))
      ? points
      : new Invalid(`none, or some of ${TEST_PAUSE_POINTS.join(', ')} separated by a comma`);
  });
  // A job held open on purpose has no place outside the fault suite.
  if (nodeEnv !== 'test' && pauseBeforeCommit !== undefined && pauseBeforeCommit.length > 0) {
    problems.push(`TEST_PAUSE_BEFORE_COMMIT=${JSON.stringify(env.TEST_PAUSE_BEFORE_COMMIT)} (expected none unless NODE_ENV=test)`);
  }
  if (secretKey === null && nodeEnv === 'production') {
    problems.push('SECRET_KEY="" (expected at least 32 random characters: required in production)');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const db: DatabaseConfig = database.type === 'sqlite' ? { ...database, synchronous, busyTimeoutMs } : { ...database, schema: pgSchema };
  return {
    nodeEnv,
    role,
    host,
    port,
    publicBaseUrl,
    database: db,
    http: { requestTimeoutMs, connectionTimeoutMs, keepAliveTimeoutMs },
    redis: { url: redisUrl, prefix: redisPrefix },
    secretKey: secretKey ?? developmentSecret(),
    session: { idleMs: sessionIdleMs, ttlMs: sessionTtlMs },
    logLevel,
    demoData,
    intake: { ratePerHourPerClient, ratePerDayPerUsername, trustProxy, messagesPerTicket },
    mail: { smtpUrl, dir: mailDir, from: mailFrom },
    jobs: { outboxRelayIntervalMs, lockDurationMs },
    shutdown: { timeoutMs: shutdownTimeoutMs },
    evidence: {
      highValueMonthlyDownloads,
      highValueRoles,
      expiredDomains,
      emailChallengeTtlMs,
      emailChallengeAttempts,
      repositoryChallengeTtlMs,
      githubApiUrl,
      githubToken,
      campaignWindowMs,
      gitlabApiUrl,
      gitlabHost,
      gitlabToken,
      githubOauthUrl,
      githubOauthClientId,
    },
    trustedPublishers: { issuer: oidcIssuer, jwksUrl: oidcJwksUrl, challengeTtlMs: publisherChallengeTtlMs, attempts: publisherChallengeAttempts },
    sla: { policyFile: slaPolicyFile, webhookUrl: slaWebhookUrl },
    review: { leaseMs, reconcileIntervalMs, fastLane, apiToken, closeUnansweredMs },
    ops: { email: opsEmail },
    metrics: { token: metricsToken },
    resets: { coolingOffMs, coolingOffLongMs, resetLinkTtlMs },
    moderation: { replyTemplatesFile },
    reports: { timeZone: reportTimeZone, weeklySummary, weeklySummaryCron },
    testing: { pauseBeforeCommit },
  };
}

/** Outside production a key is made once and kept in var/, so restarts can still read sealed mail. */
function developmentSecret(): Buffer {
  const file = resolve('var/secret.key');
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
}
