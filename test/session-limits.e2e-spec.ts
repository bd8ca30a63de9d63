import { Redis } from 'ioredis';
import request from 'supertest';
import { csrfIn, signedInModerator } from './support/staff.js';
import { MovableClock } from './support/movable-clock.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const MIN = 60_000;
const IDLE_NOTICE = 'Your session ended after 15 minutes without activity; please sign in again.';
const LIFETIME_NOTICE = 'Your session ended after 8 hours; please sign in again.';
const noticeIn = (html: string) => /id="sign-in-notice">([^<]*)</.exec(html)?.[1];

describe('staff sessions end after 15 minutes idle and 8 hours in all (docs/security.md #18)', () => {
  let t: TestApp;
  const clock = new MovableClock();

  beforeAll(async () => {
    t = await startTestApp({}, { clock });
  });
  afterAll(() => t.close());
  // Sign-ins check TOTP codes made from the wall clock.
  beforeEach(() => clock.reset());

  it('keeps a session used within 15 minutes, and ends it after 16 minutes without a staff request', async () => {
    const agent = await signedInModerator(t, 'idle-ann');
    clock.advance(14 * MIN);
    await agent.get('/dashboard').expect(200);
    // Idleness counts from the last staff request, not from the sign-in.
    clock.advance(14 * MIN);
    const page = await agent.get('/dashboard').expect(200);
    clock.advance(16 * MIN);
    // Every staff route, a form post with its valid token included.
    await agent
      .post('/dashboard/work-next')
      .type('form')
      .send({ _csrf: csrfIn(page.text) })
      .expect(303)
      .expect('Location', '/login?notice=session_idle');
    const login = await agent.get('/login?notice=session_idle').expect(200);
    expect(noticeIn(login.text)).toBe(IDLE_NOTICE);
    // The session was destroyed: signing in again is the only way back.
    await agent.get('/dashboard').expect(303).expect('Location', '/login');
  });

  it('ends a session active every 10 minutes 8 hours after the sign-in', async () => {
    const agent = await signedInModerator(t, 'busy-bea');
    for (let minutes = 10; minutes < 8 * 60; minutes += 10) {
      clock.advance(10 * MIN);
      const res = await agent.get('/dashboard');
      expect([minutes, res.status]).toEqual([minutes, 200]);
    }
    clock.advance(11 * MIN); // 8h01 after the sign-in, 11 minutes after the last request
    await agent.get('/dashboard').expect(303).expect('Location', '/login?notice=session_ended');
    const login = await agent.get('/login?notice=session_ended').expect(200);
    expect(noticeIn(login.text)).toBe(LIFETIME_NOTICE);
    await agent.get('/dashboard').expect(303).expect('Location', '/login');
  });

  it('a session ended while idle sends /login visitors through the dashboard to the notice', async () => {
    const agent = await signedInModerator(t, 'late-cas');
    clock.advance(20 * MIN);
    await agent.get('/login').expect(303).expect('Location', '/dashboard');
    await agent.get('/dashboard').expect(303).expect('Location', '/login?notice=session_idle');
    // An unknown notice shows nothing.
    expect(noticeIn((await agent.get('/login?notice=__proto__').expect(200)).text)).toBeUndefined();
  });

  it('keeps Redis expiry only as a backstop, longer than the idle timeout', async () => {
    await signedInModerator(t, 'redis-dee');
    const redis = new Redis(t.config.redis.url);
    try {
      const keys = await redis.keys(`${t.config.redis.prefix}:sess:*`);
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(15 * MIN);
    } finally {
      redis.disconnect();
    }
  });

  it('anonymous visitors still go to /login without a notice', async () => {
    await request(t.server).get('/dashboard').expect(303).expect('Location', '/login');
  });
});
