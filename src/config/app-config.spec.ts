import { ConfigError, loadConfig } from './app-config.js';

// Always given, unless a test is about its absence: without it a development key file is written under ./var.
const SECRET = 'a-test-secret-key-that-is-long-enough-1234';

const env = (overrides: Record<string, string | undefined> = {}) => ({ SECRET_KEY: SECRET, ...overrides });

/** The problems of the ConfigError that loading `vars` throws; fails the test if it does not throw one. */
function problemsOf(vars: Record<string, string | undefined>): string[] {
  try {
    loadConfig(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig did not throw');
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('gives the documented defaults when only SECRET_KEY is set', () => {
      expect(loadConfig(env())).toEqual({
        nodeEnv: 'development',
        role: 'all',
        host: '127.0.0.1',
        port: 3000,
        publicBaseUrl: 'http://localhost:3000',
        http: { requestTimeoutMs: 30_000, connectionTimeoutMs: 60_000, keepAliveTimeoutMs: 5000 },
        database: { type: 'sqlite', path: 'var/recovery-desk.sqlite', synchronous: 'NORMAL', busyTimeoutMs: 5000 },
        redis: { url: 'redis://127.0.0.1:6379', prefix: 'rd' },
        secretKey: Buffer.from(SECRET, 'utf8'),
        session: { idleMs: 15 * 60_000, ttlMs: 8 * 3_600_000 },
        logLevel: 'info',
        demoData: true,
        intake: { ratePerHourPerClient: 5, ratePerDayPerUsername: 5, trustProxy: false, messagesPerTicket: 50 },
        mail: { smtpUrl: null, dir: 'var/mail', from: 'Recovery Desk <recovery@localhost>' },
        jobs: { outboxRelayIntervalMs: 5000, lockDurationMs: 30_000 },
        shutdown: { timeoutMs: 10_000 },
        evidence: {
          highValueMonthlyDownloads: 1_000_000,
          highValueRoles: ['Owner', 'Maintainer'],
          expiredDomains: [],
          emailChallengeTtlMs: 30 * 60_000,
          emailChallengeAttempts: 5,
          repositoryChallengeTtlMs: 14 * 86_400_000,
          githubApiUrl: 'https://api.github.com',
          githubToken: null,
          campaignWindowMs: 86_400_000,
          gitlabApiUrl: 'https://gitlab.com/api/v4',
          gitlabHost: 'gitlab.com',
          gitlabToken: null,
          githubOauthUrl: 'https://github.com',
          githubOauthClientId: null,
        },
        trustedPublishers: {
          issuer: 'https://token.actions.githubusercontent.com',
          jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks',
          challengeTtlMs: 3_600_000,
          attempts: 5,
        },
        sla: { policyFile: 'config/sla-policy.json', webhookUrl: null },
        review: { leaseMs: 15 * 60_000, reconcileIntervalMs: 60_000, fastLane: false, apiToken: null, closeUnansweredMs: 30 * 86_400_000 },
        ops: { email: 'ops@localhost' },
        metrics: { token: null },
        resets: { coolingOffMs: 24 * 3_600_000, coolingOffLongMs: 72 * 3_600_000, resetLinkTtlMs: 24 * 3_600_000 },
        moderation: { replyTemplatesFile: 'config/reply-templates.json' },
        reports: { timeZone: 'UTC', weeklySummary: true, weeklySummaryCron: '0 8 * * 1' },
        testing: { pauseBeforeCommit: [] },
      });
    });

    it('refuses a reset link that lives over 24 hours and a long cooling-off shorter than the standard one', () => {
      expect(() => loadConfig(env({ RESET_LINK_TTL: '25h', COOLING_OFF: '48h', COOLING_OFF_LONG: '24h' }))).toThrow(
        /RESET_LINK_TTL="25h" \(expected a duration from 1m to 24h\)[\s\S]*COOLING_OFF_LONG="24h" \(expected at least COOLING_OFF\)/,
      );
    });

    it('reads the report settings and the closing delay, and refuses a bad zone, cron pattern or closing delay', () => {
      const config = loadConfig(
        env({ REPORT_TIME_ZONE: 'Europe/Berlin', WEEKLY_SUMMARY: 'off', WEEKLY_SUMMARY_CRON: '30 7 * * mon-fri', CLOSE_UNANSWERED_AFTER: 'never' }),
      );
      expect(config.reports).toEqual({ timeZone: 'Europe/Berlin', weeklySummary: false, weeklySummaryCron: '30 7 * * mon-fri' });
      expect(config.review.closeUnansweredMs).toBeNull();
      expect(() => loadConfig(env({ REPORT_TIME_ZONE: 'Mars/Olympus', WEEKLY_SUMMARY_CRON: 'weekly', CLOSE_UNANSWERED_AFTER: '2h' }))).toThrow(
        /REPORT_TIME_ZONE="Mars\/Olympus" \(expected an IANA time zone[\s\S]*WEEKLY_SUMMARY_CRON="weekly" \(expected a cron pattern[\s\S]*CLOSE_UNANSWERED_AFTER="2h" \(expected a duration of at least 1d, or never\)/,
      );
    });

    it('treats empty and blank values as not set', () => {
      const config = loadConfig(env({ PORT: '', INTAKE_RATE_LIMIT: '   ', TRUST_PROXY: '\t', DATABASE_URL: ' ' }));
      expect(config.port).toBe(3000);
      expect(config.intake.ratePerHourPerClient).toBe(5);
      expect(config.intake.trustProxy).toBe(false);
      expect(config.database).toEqual({
        type: 'sqlite',
        path: 'var/recovery-desk.sqlite',
        synchronous: 'NORMAL',
        busyTimeoutMs: 5000,
      });
    });

    it('trims values before reading them', () => {
      const config = loadConfig(env({ PORT: ' 8080 ', ROLE: ' web\n' }));
      expect(config.port).toBe(8080);
      expect(config.role).toBe('web');
    });

    it('reads the HTTP timeouts, from 1s to 1h: none may be switched off', () => {
      const config = loadConfig(env({ HTTP_REQUEST_TIMEOUT: '10s', HTTP_CONNECTION_TIMEOUT: '2m', HTTP_KEEP_ALIVE_TIMEOUT: '65s' }));
      expect(config.http).toEqual({ requestTimeoutMs: 10_000, connectionTimeoutMs: 120_000, keepAliveTimeoutMs: 65_000 });
      expect(problemsOf(env({ HTTP_REQUEST_TIMEOUT: '0s', HTTP_CONNECTION_TIMEOUT: '2h', HTTP_KEEP_ALIVE_TIMEOUT: '5' }))).toEqual([
        'HTTP_REQUEST_TIMEOUT="0s" (expected a duration from 1s to 1h)',
        'HTTP_CONNECTION_TIMEOUT="2h" (expected a duration from 1s to 1h)',
        'HTTP_KEEP_ALIVE_TIMEOUT="5" (expected a duration such as 5s, 15m, 72h or 14d)',
      ]);
    });

    it('builds the default public base URL from PORT', () => {
      expect(loadConfig(env({ PORT: '8443' })).publicBaseUrl).toBe('http://localhost:8443');
    });

    it('keeps SECRET_KEY as its UTF-8 bytes', () => {
      expect(loadConfig(env()).secretKey.equals(Buffer.from(SECRET, 'utf8'))).toBe(true);
    });
  });

  describe('DEMO_DATA', () => {
    it.each([
      [undefined, true],
      ['development', true],
      ['test', false],
      ['production', false],
    ])('defaults for NODE_ENV=%s to %s', (nodeEnv, expected) => {
      expect(loadConfig(env({ NODE_ENV: nodeEnv })).demoData).toBe(expected);
    });

    it('can be switched on outside development and off in development', () => {
      expect(loadConfig(env({ NODE_ENV: 'test', DEMO_DATA: 'true' })).demoData).toBe(true);
      expect(loadConfig(env({ NODE_ENV: 'development', DEMO_DATA: 'off' })).demoData).toBe(false);
    });
  });

  describe('booleans', () => {
    it.each(['true', 'TRUE', '1', 'yes', 'On'])('reads TRUST_PROXY=%s as true', (raw) => {
      expect(loadConfig(env({ TRUST_PROXY: raw })).intake.trustProxy).toBe(true);
    });

    it.each(['false', 'False', '0', 'no', 'off'])('reads TRUST_PROXY=%s as false', (raw) => {
      expect(loadConfig(env({ TRUST_PROXY: raw })).intake.trustProxy).toBe(false);
    });

    it('refuses anything else', () => {
      expect(problemsOf(env({ TRUST_PROXY: 'maybe' }))).toEqual(['TRUST_PROXY="maybe" (expected true or false)']);
    });
  });

  describe('integers', () => {
    it.each([
      ['0', 0],
      ['65535', 65535],
      ['080', 80],
    ])('accepts PORT=%s', (raw, port) => {
      expect(loadConfig(env({ PORT: raw })).port).toBe(port);
    });

    it.each(['65536', '-1', '3.5', '0x10', '1e3', 'abc'])('refuses PORT=%s', (raw) => {
      expect(problemsOf(env({ PORT: raw }))).toEqual([`PORT="${raw}" (expected an integer from 0 to 65535)`]);
    });

    it('reads both intake rate limits and the messages per ticket', () => {
      const config = loadConfig(env({ INTAKE_RATE_LIMIT: '12', INTAKE_USERNAME_RATE_LIMIT: '0', REQUESTER_MESSAGES_PER_TICKET: '7' }));
      expect(config.intake).toEqual({ ratePerHourPerClient: 12, ratePerDayPerUsername: 0, trustProxy: false, messagesPerTicket: 7 });
      expect(problemsOf(env({ REQUESTER_MESSAGES_PER_TICKET: '0' }))).toEqual(['REQUESTER_MESSAGES_PER_TICKET="0" (expected an integer from 1 to 10000)']);
    });
  });

  describe('database', () => {
    it('reads a SQLite path with its pragmas', () => {
      const config = loadConfig(
        env({
          DATABASE_URL: 'sqlite:/data/desk.db',
          SQLITE_SYNCHRONOUS: 'FULL',
          SQLITE_BUSY_TIMEOUT: '250ms',
        }),
      );
      expect(config.database).toEqual({ type: 'sqlite', path: '/data/desk.db', synchronous: 'FULL', busyTimeoutMs: 250 });
    });

    it('reads a PostgreSQL URL with the default schema "public"', () => {
      const url = 'postgres://desk:pw@db.example.org:5432/recovery';
      expect(loadConfig(env({ DATABASE_URL: url })).database).toEqual({ type: 'postgres', url, schema: 'public' });
    });

    it('reads a postgresql:// URL with DATABASE_SCHEMA, ignoring the SQLite settings', () => {
      const url = 'postgresql://desk@localhost/recovery';
      const config = loadConfig(env({ DATABASE_URL: url, DATABASE_SCHEMA: 'desk_test_7', SQLITE_SYNCHRONOUS: 'FULL' }));
      expect(config.database).toEqual({ type: 'postgres', url, schema: 'desk_test_7' });
    });

    it.each(['mysql://db/desk', 'sqlite:', 'postgres://', 'desk.sqlite'])('refuses DATABASE_URL=%s', (raw) => {
      expect(problemsOf(env({ DATABASE_URL: raw }))).toEqual([`DATABASE_URL="${raw}" (expected sqlite:<file path> or postgres://user@host:port/database)`]);
    });

    it('refuses a schema name that is not lower-case', () => {
      expect(problemsOf(env({ DATABASE_URL: 'postgres://db/desk', DATABASE_SCHEMA: 'Desk-1' }))).toEqual([
        'DATABASE_SCHEMA="Desk-1" (expected a lower-case PostgreSQL schema name)',
      ]);
    });

    it('refuses an unknown SQLITE_SYNCHRONOUS', () => {
      expect(problemsOf(env({ SQLITE_SYNCHRONOUS: 'OFF' }))).toEqual(['SQLITE_SYNCHRONOUS="OFF" (expected one of NORMAL, FULL)']);
    });
  });

  describe('durations', () => {
    it('reads OUTBOX_RELAY_INTERVAL and SQLITE_BUSY_TIMEOUT in milliseconds', () => {
      const config = loadConfig(env({ OUTBOX_RELAY_INTERVAL: '2m', SQLITE_BUSY_TIMEOUT: '1.5s' }));
      expect(config.jobs.outboxRelayIntervalMs).toBe(120_000);
      expect(config.database).toMatchObject({ busyTimeoutMs: 1500 });
    });

    it('accepts a zero duration', () => {
      expect(loadConfig(env({ OUTBOX_RELAY_INTERVAL: '0s' })).jobs.outboxRelayIntervalMs).toBe(0);
    });

    it('refuses a bare number', () => {
      expect(problemsOf(env({ SQLITE_BUSY_TIMEOUT: '5000' }))).toEqual(['SQLITE_BUSY_TIMEOUT="5000" (expected a duration such as 5s, 15m, 72h or 14d)']);
    });

    it('reads SHUTDOWN_TIMEOUT, from one second to ten minutes', () => {
      expect(loadConfig(env({ SHUTDOWN_TIMEOUT: '2s' })).shutdown.timeoutMs).toBe(2000);
      expect(problemsOf(env({ SHUTDOWN_TIMEOUT: '500ms' }))).toEqual(['SHUTDOWN_TIMEOUT="500ms" (expected a duration from 1s to 10m)']);
      expect(problemsOf(env({ SHUTDOWN_TIMEOUT: '1h' }))).toEqual(['SHUTDOWN_TIMEOUT="1h" (expected a duration from 1s to 10m)']);
      expect(problemsOf(env({ SHUTDOWN_TIMEOUT: '10' }))).toEqual(['SHUTDOWN_TIMEOUT="10" (expected a duration such as 5s, 15m, 72h or 14d)']);
    });

    it('reads SESSION_TTL, from one minute to a day', () => {
      expect(loadConfig(env({ SESSION_TTL: '30m' })).session.ttlMs).toBe(30 * 60_000);
      expect(problemsOf(env({ SESSION_TTL: '30s' }))).toEqual(['SESSION_TTL="30s" (expected a duration from 1m to 24h)']);
      expect(problemsOf(env({ SESSION_TTL: '2d' }))).toEqual(['SESSION_TTL="2d" (expected a duration from 1m to 24h)']);
      expect(problemsOf(env({ SESSION_TTL: 'soon' }))).toEqual(['SESSION_TTL="soon" (expected a duration such as 5s, 15m, 72h or 14d)']);
    });

    it('reads SESSION_IDLE, from one minute to SESSION_TTL', () => {
      expect(loadConfig(env({ SESSION_IDLE: '5m' })).session).toEqual({ idleMs: 5 * 60_000, ttlMs: 8 * 3_600_000 });
      expect(loadConfig(env({ SESSION_IDLE: '1h', SESSION_TTL: '1h' })).session).toEqual({ idleMs: 3_600_000, ttlMs: 3_600_000 });
      expect(problemsOf(env({ SESSION_IDLE: '30s' }))).toEqual(['SESSION_IDLE="30s" (expected a duration from 1m to 24h)']);
      expect(problemsOf(env({ SESSION_IDLE: '2h', SESSION_TTL: '1h' }))).toEqual([
        'SESSION_IDLE="2h" (expected a duration from 1m to 24h, at most SESSION_TTL)',
      ]);
    });
  });

  describe('URLs and names', () => {
    it('drops trailing slashes from PUBLIC_BASE_URL', () => {
      expect(loadConfig(env({ PUBLIC_BASE_URL: 'https://desk.example.org//' })).publicBaseUrl).toBe('https://desk.example.org');
    });

    it('accepts rediss:// and smtps:// URLs', () => {
      const config = loadConfig(
        env({
          REDIS_URL: 'rediss://cache.example.org:6380',
          SMTP_URL: 'smtps://user:pw@mail.example.org:465',
        }),
      );
      expect(config.redis.url).toBe('rediss://cache.example.org:6380');
      expect(config.mail.smtpUrl).toBe('smtps://user:pw@mail.example.org:465');
    });

    it('reads SMTP_URL=none as no SMTP', () => {
      expect(loadConfig(env({ SMTP_URL: 'none' })).mail.smtpUrl).toBeNull();
    });

    it('accepts a host name, an IPv4 and an IPv6 address for HOST', () => {
      expect(loadConfig(env({ HOST: 'desk.internal' })).host).toBe('desk.internal');
      expect(loadConfig(env({ HOST: '0.0.0.0' })).host).toBe('0.0.0.0');
      expect(loadConfig(env({ HOST: '::' })).host).toBe('::');
    });

    it('accepts MAIL_FROM with or without a display name', () => {
      expect(loadConfig(env({ MAIL_FROM: 'Desk <desk@example.org>' })).mail.from).toBe('Desk <desk@example.org>');
      expect(loadConfig(env({ MAIL_FROM: 'desk@example.org' })).mail.from).toBe('desk@example.org');
    });

    it('reads ROLE, LOG_LEVEL, REDIS_PREFIX and MAIL_DIR', () => {
      const config = loadConfig(env({ ROLE: 'worker', LOG_LEVEL: 'silent', REDIS_PREFIX: 'rd-test_1.a', MAIL_DIR: '/tmp/mail' }));
      expect(config.role).toBe('worker');
      expect(config.logLevel).toBe('silent');
      expect(config.redis.prefix).toBe('rd-test_1.a');
      expect(config.mail.dir).toBe('/tmp/mail');
    });

    it('refuses bad values with what it expected', () => {
      expect(
        problemsOf(
          env({
            HOST: 'bad host',
            PUBLIC_BASE_URL: 'ftp://desk.example.org',
            REDIS_PREFIX: 'p'.repeat(41),
            SMTP_URL: 'http://mail.example.org',
            MAIL_FROM: 'not an address',
            ROLE: 'cron',
          }),
        ),
      ).toEqual([
        'ROLE="cron" (expected one of all, web, worker)',
        'HOST="bad host" (expected a host name or IP address)',
        'PUBLIC_BASE_URL="ftp://desk.example.org" (expected a http:// or https:// URL)',
        `REDIS_PREFIX="${'p'.repeat(41)}" (expected 1-40 letters, digits, dots, dashes or underscores)`,
        'SMTP_URL="http://mail.example.org" (expected a smtp:// or smtps:// URL)',
        'MAIL_FROM="not an address" (expected an address such as "Desk <desk@example.org>")',
      ]);
    });
  });

  describe('several bad variables at once', () => {
    const bad = env({
      NODE_ENV: 'staging',
      PORT: 'abc',
      DATABASE_URL: 'mysql://db/desk',
      REDIS_URL: 'http://127.0.0.1:6379',
      LOG_LEVEL: 'verbose',
      INTAKE_RATE_LIMIT: '-1',
      TRUST_PROXY: 'maybe',
      OUTBOX_RELAY_INTERVAL: 'soon',
    });

    it('reports one line per bad variable, naming it, its value and what was expected', () => {
      expect(problemsOf(bad)).toEqual([
        'NODE_ENV="staging" (expected one of development, production, test)',
        'PORT="abc" (expected an integer from 0 to 65535)',
        'DATABASE_URL="mysql://db/desk" (expected sqlite:<file path> or postgres://user@host:port/database)',
        'REDIS_URL="http://127.0.0.1:6379" (expected a redis:// or rediss:// URL)',
        'LOG_LEVEL="verbose" (expected one of fatal, error, warn, info, debug, trace, silent)',
        'INTAKE_RATE_LIMIT="-1" (expected an integer from 0 to 1000000)',
        'TRUST_PROXY="maybe" (expected true or false)',
        'OUTBOX_RELAY_INTERVAL="soon" (expected a duration such as 5s, 15m, 72h or 14d)',
      ]);
    });

    it('puts every problem in the message, one "Invalid environment:" line each', () => {
      expect(() => loadConfig(bad)).toThrow(ConfigError);
      let message = '';
      try {
        loadConfig(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      const lines = message.split('\n');
      expect(lines).toHaveLength(8);
      expect(lines[1]).toBe('Invalid environment: PORT="abc" (expected an integer from 0 to 65535)');
      expect(lines.every((line) => line.startsWith('Invalid environment: '))).toBe(true);
    });

    it('shows the value as given, before trimming', () => {
      expect(problemsOf(env({ PORT: ' 80 80 ' }))).toEqual(['PORT=" 80 80 " (expected an integer from 0 to 65535)']);
    });
  });

  describe('SECRET_KEY', () => {
    it('is required in production', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['SECRET_KEY="" (expected at least 32 random characters: required in production)']);
    });

    it('is required in production even when given blank', () => {
      expect(problemsOf({ NODE_ENV: 'production', SECRET_KEY: '  ' })).toEqual([
        'SECRET_KEY="" (expected at least 32 random characters: required in production)',
      ]);
    });

    it('is reported along with the other problems in production', () => {
      expect(problemsOf({ NODE_ENV: 'production', PORT: 'abc' })).toEqual([
        'PORT="abc" (expected an integer from 0 to 65535)',
        'SECRET_KEY="" (expected at least 32 random characters: required in production)',
      ]);
    });

    it('lets production boot when given', () => {
      const config = loadConfig(env({ NODE_ENV: 'production' }));
      expect(config.nodeEnv).toBe('production');
      expect(config.secretKey.toString('utf8')).toBe(SECRET);
    });

    it('must be at least 32 characters', () => {
      const problems = problemsOf({ SECRET_KEY: 'k'.repeat(31) });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^SECRET_KEY=.* \(expected at least 32 characters\)$/);
      expect(loadConfig({ SECRET_KEY: 'k'.repeat(32) }).secretKey).toEqual(Buffer.from('k'.repeat(32)));
    });
  });
});

describe('loadConfig: forgiving spelling, strict addresses', () => {
  const base = { SECRET_KEY: 'k'.repeat(40) };
  it('reads SQLITE_SYNCHRONOUS and LOG_LEVEL in any case', () => {
    const config = loadConfig({ ...base, SQLITE_SYNCHRONOUS: 'full', LOG_LEVEL: 'DEBUG' });
    expect(config.database).toMatchObject({ type: 'sqlite', synchronous: 'FULL' });
    expect(config.logLevel).toBe('debug');
  });

  it.each(['Desk <desk@example.org', 'desk@example.org>', 'Desk desk@example.org'])('refuses MAIL_FROM=%j', (value) => {
    expect(() => loadConfig({ ...base, MAIL_FROM: value })).toThrow(/MAIL_FROM/);
  });

  it.each(['Desk <desk@example.org>', 'desk@example.org'])('accepts MAIL_FROM=%j', (value) => {
    expect(loadConfig({ ...base, MAIL_FROM: value }).mail.from).toBe(value);
  });
});

describe('loadConfig: evidence', () => {
  const base = { SECRET_KEY: 'k'.repeat(40) };
  it('reads the scoring and challenge settings', () => {
    const config = loadConfig({
      ...base,
      HIGH_VALUE_MONTHLY_DOWNLOADS: '5000',
      HIGH_VALUE_ROLES: ' owner ',
      EXPIRED_DOMAINS: 'Gone.example, old.example.org ,',
      EMAIL_CHALLENGE_TTL: '10m',
      EMAIL_CHALLENGE_ATTEMPTS: '3',
      REPOSITORY_CHALLENGE_TTL: '2d',
      GITHUB_API_URL: 'http://127.0.0.1:9999/api/',
      GITHUB_TOKEN: 'ghp_' + 'a'.repeat(36),
      CAMPAIGN_WINDOW: '6h',
      GITLAB_API_URL: 'https://gitlab.example.org/api/v4/',
      GITLAB_HOST: 'gitlab.example.org',
      GITLAB_TOKEN: 'glpat-' + 'b'.repeat(20),
      GITHUB_OAUTH_URL: 'http://127.0.0.1:9998',
      GITHUB_OAUTH_CLIENT_ID: 'Ov23liAbc.123',
    });
    expect(config.evidence).toEqual({
      highValueMonthlyDownloads: 5000,
      highValueRoles: ['Owner'],
      expiredDomains: ['gone.example', 'old.example.org'],
      emailChallengeTtlMs: 600_000,
      emailChallengeAttempts: 3,
      repositoryChallengeTtlMs: 2 * 86_400_000,
      githubApiUrl: 'http://127.0.0.1:9999/api',
      githubToken: 'ghp_' + 'a'.repeat(36),
      campaignWindowMs: 6 * 3_600_000,
      gitlabApiUrl: 'https://gitlab.example.org/api/v4',
      gitlabHost: 'gitlab.example.org',
      gitlabToken: 'glpat-' + 'b'.repeat(20),
      githubOauthUrl: 'http://127.0.0.1:9998',
      githubOauthClientId: 'Ov23liAbc.123',
    });
  });

  it('checks gitlab.com through its public API and offers no linked-identity check by default', () => {
    expect(loadConfig(base).evidence).toMatchObject({
      gitlabApiUrl: 'https://gitlab.com/api/v4',
      gitlabHost: 'gitlab.com',
      gitlabToken: null,
      githubOauthUrl: 'https://github.com',
      githubOauthClientId: null,
    });
    expect(loadConfig(base).evidence.campaignWindowMs).toBe(24 * 3_600_000);
    expect(() => loadConfig({ ...base, CAMPAIGN_WINDOW: 'soon' })).toThrow(/CAMPAIGN_WINDOW/);
  });

  it('reads HIGH_VALUE_ROLES in any case, and refuses an unknown or empty role list', () => {
    expect(loadConfig({ ...base, HIGH_VALUE_ROLES: 'MAINTAINER,owner' }).evidence.highValueRoles).toEqual(['Maintainer', 'Owner']);
    expect(problemsOf({ ...base, HIGH_VALUE_ROLES: 'Owner,Admin' })).toEqual([
      'HIGH_VALUE_ROLES="Owner,Admin" (expected Owner, Maintainer or both, separated by a comma)',
    ]);
    expect(problemsOf({ ...base, HIGH_VALUE_ROLES: ',' })).toEqual(['HIGH_VALUE_ROLES="," (expected Owner, Maintainer or both, separated by a comma)']);
  });

  it('refuses bad values, and never echoes GITHUB_TOKEN', () => {
    let message = '';
    try {
      loadConfig({
        ...base,
        EXPIRED_DOMAINS: 'ok.example,not a domain',
        EMAIL_CHALLENGE_ATTEMPTS: '0',
        GITHUB_TOKEN: 'secret token!',
        GITHUB_API_URL: 'ftp://x',
        GITLAB_TOKEN: 'gl token secret',
        GITLAB_HOST: 'https://gitlab.example.org',
        GITHUB_OAUTH_CLIENT_ID: 'id with spaces',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('EXPIRED_DOMAINS="ok.example,not a domain" (expected domain names separated by commas ("not a domain" is not one))');
    expect(message).toContain('EMAIL_CHALLENGE_ATTEMPTS="0" (expected an integer from 1 to 20)');
    expect(message).toContain('GITHUB_TOKEN=<hidden>');
    expect(message).not.toContain('secret token');
    expect(message).toContain('GITHUB_API_URL="ftp://x"');
    expect(message).toContain('GITLAB_TOKEN=<hidden>');
    expect(message).not.toContain('gl token secret');
    expect(message).toContain('GITLAB_HOST="https://gitlab.example.org" (expected a host name');
    expect(message).toContain('GITHUB_OAUTH_CLIENT_ID="id with spaces"');
  });
});

describe('loadConfig: trusted publishers', () => {
  const base = { SECRET_KEY: 'k'.repeat(40) };
  it('reads the issuer, its JWKS (by default under the issuer), the nonce lifetime and the tries', () => {
    expect(loadConfig({ ...base, OIDC_ISSUER: 'http://127.0.0.1:4000/' }).trustedPublishers.jwksUrl).toBe('http://127.0.0.1:4000/.well-known/jwks');
    expect(
      loadConfig({
        ...base,
        OIDC_ISSUER: 'https://issuer.example',
        OIDC_JWKS_URL: 'https://keys.example/jwks.json',
        PUBLISHER_CHALLENGE_TTL: '10m',
        PUBLISHER_CHALLENGE_ATTEMPTS: '3',
      }).trustedPublishers,
    ).toEqual({ issuer: 'https://issuer.example', jwksUrl: 'https://keys.example/jwks.json', challengeTtlMs: 600_000, attempts: 3 });
  });

  it('refuses bad values, each named', () => {
    expect(problemsOf({ ...base, OIDC_ISSUER: 'token.actions', PUBLISHER_CHALLENGE_TTL: '30s', PUBLISHER_CHALLENGE_ATTEMPTS: '0' })).toEqual([
      'OIDC_ISSUER="token.actions" (expected a http:// or https:// URL)',
      'PUBLISHER_CHALLENGE_TTL="30s" (expected a duration from 1m to 24h)',
      'PUBLISHER_CHALLENGE_ATTEMPTS="0" (expected an integer from 1 to 20)',
    ]);
  });
});

describe('loadConfig: METRICS_TOKEN', () => {
  const base = { SECRET_KEY: 'k'.repeat(40) };
  it('keeps /metrics open by default and reads a token when one is given', () => {
    expect(loadConfig(base).metrics.token).toBeNull();
    expect(loadConfig({ ...base, METRICS_TOKEN: 'none' }).metrics.token).toBeNull();
    expect(loadConfig({ ...base, METRICS_TOKEN: ` ${'m'.repeat(32)} ` }).metrics.token).toBe('m'.repeat(32));
  });

  it('refuses a short token, and never echoes it', () => {
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short-secret' })).toThrow(
      'Invalid environment: METRICS_TOKEN=<hidden> (expected at least 32 printable characters, no spaces)',
    );
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short-secret' })).not.toThrow(/short-secret/);
  });
});

describe('loadConfig: JOB_LOCK_DURATION', () => {
  it('reads it, from 5 s to 10 minutes', () => {
    expect(loadConfig(env({ JOB_LOCK_DURATION: '5s' })).jobs.lockDurationMs).toBe(5000);
    expect(problemsOf(env({ JOB_LOCK_DURATION: '1s' }))).toEqual(['JOB_LOCK_DURATION="1s" (expected a duration from 5s to 10m)']);
    expect(problemsOf(env({ JOB_LOCK_DURATION: '11m' }))).toEqual(['JOB_LOCK_DURATION="11m" (expected a duration from 5s to 10m)']);
  });
});

describe('loadConfig: TEST_PAUSE_BEFORE_COMMIT (the fault suite)', () => {
  it('reads the pause points under NODE_ENV=test', () => {
    expect(loadConfig(env({ NODE_ENV: 'test', TEST_PAUSE_BEFORE_COMMIT: 'sla-breach, reset-link' })).testing).toEqual({
      pauseBeforeCommit: ['sla-breach', 'reset-link'],
    });
  });

  it('refuses it outside NODE_ENV=test, and refuses an unknown point', () => {
    expect(problemsOf(env({ NODE_ENV: 'production', TEST_PAUSE_BEFORE_COMMIT: 'sla-breach' }))).toEqual([
      'TEST_PAUSE_BEFORE_COMMIT="sla-breach" (expected none unless NODE_ENV=test)',
    ]);
    expect(problemsOf(env({ TEST_PAUSE_BEFORE_COMMIT: 'reset-link' }))).toEqual(['TEST_PAUSE_BEFORE_COMMIT="reset-link" (expected none unless NODE_ENV=test)']);
    expect(problemsOf(env({ NODE_ENV: 'test', TEST_PAUSE_BEFORE_COMMIT: 'mail' }))).toEqual([
      'TEST_PAUSE_BEFORE_COMMIT="mail" (expected none, or some of sla-breach, reset-link separated by a comma)',
    ]);
  });
});
