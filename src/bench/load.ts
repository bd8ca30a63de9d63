import autocannon from 'autocannon';

/**
 * The load generator, run as its own process (the other core) by the bench, printing autocannon's
 * result as JSON. Usage: node dist/bench/load.js URL CONNECTIONS SECONDS [GET [AMOUNT]]
 * POST (the default) sends a fresh intake body per request (so every request is a new ticket); GET
 * fetches URL as it is, with the Cookie header in BENCH_COOKIE if set (a signed-in moderator's session).
 * With AMOUNT, GET sends that many requests (SECONDS is then ignored) and waits up to two minutes for each.
 */
const [url, connections, seconds, method = 'POST', amount] = process.argv.slice(2);
let n = 0;
const tag = `${process.pid}x${Date.now().toString(36)}`;
const body = () =>
  JSON.stringify({
    username: `u${tag}${n}`,
    contact_email: `m${tag}${n++}@example.org`,
    request_type: 'lost_2fa',
    previous_emails: ['old@example.org'],
    projects: ['bench-project'],
    joined_approx: '2018-04',
    has_2fa: true,
    has_recovery_codes: 'unknown',
    details: 'I maintain bench-project and pushed its first release in 2018.',
    coc_accepted: true,
    delay_acknowledged: true,
  });
const cookie = process.env.BENCH_COOKIE;
const result = await autocannon(
  method === 'GET'
    ? {
        url,
        connections: Number(connections),
        method: 'GET',
        headers: cookie ? { cookie } : {},
        ...(amount ? { amount: Number(amount), timeout: 120 } : { duration: Number(seconds) }),
      }
    : {
        url,
        connections: Number(connections),
        duration: Number(seconds),
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: body() }) }],
      },
);
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
  }),
);
