import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { MovableClock } from './support/movable-clock.js';
import { csrfIn, signedInModerator } from './support/staff.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { QueueName } from '../src/jobs/job.constants.js';

const MIN = 60_000;
const ALL_QUEUES = Object.values(QueueName).sort();
const queueNamesIn = (body: { queues: Array<{ name: string }> }) => body.queues.map((q) => q.name).sort();

describe('the ops queue board /ops/queues (bull-board, read-only, ops and admin only)', () => {
  let t: TestApp;
  const clock = new MovableClock();
  let ops: TestAgent;

  beforeAll(async () => {
    t = await startTestApp({}, { clock });
    ops = await signedInModerator(t, 'olga', 'ops');
  });
  afterAll(() => t.close());
  // Sign-ins check TOTP codes made from the wall clock.
  beforeEach(() => clock.reset());

  it('sends anonymous page requests to /login and answers its API with 401, however the path is spelled', async () => {
    for (const page of ['/ops/queues', '/ops/queues/', '/ops/queues/queue/mail', '/ops/queues/static/js/main.f10757109b.js']) {
      const res = await request(t.server).get(page);
      expect([page, res.status, res.headers.location]).toEqual([page, 303, '/login']);
    }
    const api = await request(t.server).get('/ops/queues/api/queues').expect(401);
    expect(api.body).toEqual({ statusCode: 401, error: 'unauthorized', message: 'Sign in at /login first.' });
    expect(api.headers['cache-control']).toBe('no-store');
    // The router decodes and tolerates spellings a prefix test on the raw URL would miss.
    for (const spelled of ['/ops/%71ueues/api/queues', '/ops/queues/%61pi/queues', '/ops/queues/api/queues?x=/dashboard']) {
      const res = await request(t.server).get(spelled);
      expect([spelled, [303, 401, 404].includes(res.status)]).toEqual([spelled, true]);
      expect(res.text).not.toContain('"queues"');
    }
  });

  it('refuses signed-in staff of other roles with 403 (a page, or JSON for the API)', async () => {
    for (const role of ['moderator', 'senior'] as const) {
      const agent = await signedInModerator(t, `board-${role}`, role);
      const page = await agent.get('/ops/queues').expect(403);
      expect(page.text).toContain(`Your role (${role}) does not open this page.`);
      const api = await agent.get('/ops/queues/api/queues').expect(403);
      expect(api.body.message).toBe(`Your role (${role}) does not open this page. Ask an admin if you need it.`);
    }
  });

  it('shows ops and admins the board, its assets, and every queue of the app through its API', async () => {
    const admin = await signedInModerator(t, 'board-admin', 'admin');
    for (const agent of [ops, admin]) {
      const page = await agent
        .get('/ops/queues')
        .expect(200)
        .expect('Content-Type', /text\/html/);
      expect(page.text).toContain('<title>Recovery Desk queues</title>');
      expect(page.text).toContain('<base href="/ops/queues/" />');
      const script = /src="(static\/js\/main\.[0-9a-f]+\.js)"/.exec(page.text)?.[1];
      expect(script).toBeDefined();
      await agent
        .get(`/ops/queues/${script}`)
        .expect(200)
        .expect('Content-Type', /javascript/);
      const api = await agent.get('/ops/queues/api/queues').expect(200);
      expect(queueNamesIn(api.body)).toEqual(ALL_QUEUES);
      expect(api.body.queues.every((q: { readOnlyMode: boolean }) => q.readOnlyMode)).toBe(true);
    }
  });

  it('lists jobs waiting in a queue', async () => {
    const mail = t.app.get<Queue>(getQueueToken(QueueName.Mail), { strict: false });
    // Paused, so the worker leaves the job where the board can see it.
    await mail.pause();
    try {
      await mail.add('send-mail', { outboxId: 'board-test' }, { jobId: 'board-test' });
      const api = await ops.get('/ops/queues/api/queues?activeQueue=mail&status=latest').expect(200);
      const queue = api.body.queues.find((q: { name: string }) => q.name === QueueName.Mail);
      expect(queue.jobs.map((j: { id: string }) => j.id)).toContain('board-test');
    } finally {
      await mail.remove('board-test');
      await mail.resume();
    }
  });

  it('changes nothing: mutating calls need the CSRF token, and with it the read-only board refuses them', async () => {
    const mail = t.app.get<Queue>(getQueueToken(QueueName.Mail), { strict: false });
    const noToken = await ops.put('/ops/queues/api/queues/mail/pause').expect(403);
    expect(noToken.text).toContain('This form has expired');
    const csrf = csrfIn((await ops.get('/dashboard').expect(200)).text);
    const refused = await ops.put('/ops/queues/api/queues/mail/pause').set('x-csrf-token', csrf).expect(405);
    expect(refused.body.error).toEqual({ key: 'ERRORS.QUEUE_READ_ONLY' });
    await ops.put('/ops/queues/api/queues/pause').set('x-csrf-token', csrf).expect(200);
    for (const name of ALL_QUEUES) {
      expect([name, await t.app.get<Queue>(getQueueToken(name), { strict: false }).isPaused()]).toEqual([name, false]);
    }
    await ops.put('/ops/queues/api/queues/mail/clean/failed').set('x-csrf-token', csrf).expect(405);
    expect(await mail.isPaused()).toBe(false);
  });

  it('ends an idle session as the dashboard does, and the board polling its API does not keep it alive', async () => {
    const agent = await signedInModerator(t, 'board-idle', 'ops');
    await agent.get('/ops/queues').expect(200);
    for (let minutes = 4; minutes <= 12; minutes += 4) {
      clock.advance(4 * MIN);
      await agent.get('/ops/queues/api/queues').expect(200);
    }
    clock.advance(4 * MIN); // 16 minutes after the last page, 4 after the last poll
    await agent.get('/ops/queues').expect(303).expect('Location', '/login?notice=session_idle');
    // The session was destroyed.
    await agent.get('/ops/queues/api/queues').expect(401);
  });
});
