import request from 'supertest';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { makeTicketBody } from './support/factories.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const post = (t: TestApp, body = makeTicketBody()) => request(t.server).post('/api/v1/tickets').send(body);

describe('intake rate limits', () => {
  describe('per client address, TRUST_PROXY off', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ INTAKE_RATE_LIMIT: '3' });
    });
    afterAll(() => t.close());

    it('allows INTAKE_RATE_LIMIT submissions an hour, then answers 429 with Retry-After and writes nothing', async () => {
      for (let i = 0; i < 3; i++) await post(t).expect(201);
      const refused = await post(t).expect(429);
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(3500);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(refused.body).toMatchObject({ error: 'rate_limited', retry_after_seconds: retryAfter });
      expect(await t.dataSource.getRepository(Ticket).count()).toBe(3);
    });

    it('ignores X-Forwarded-For, so a forged header cannot dodge the limit', async () => {
      await post(t).set('X-Forwarded-For', '203.0.113.77').expect(429);
      await post(t).set('X-Forwarded-For', '198.51.100.1, 10.0.0.1').expect(429);
    });

    it('applies to the HTML form too, with the form kept and a message', async () => {
      const res = await request(t.server)
        .post('/recover')
        .type('form')
        .send({
          username: 'frank',
          contact_email: 'frank@example.org',
          request_type: 'lost_2fa',
          coc_accepted: 'true',
          delay_acknowledged: 'true',
        })
        .expect(429);
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.text).toContain('Too many requests');
      expect(res.text).toContain('value="frank"');
    });

    it('does not count rejected (invalid) submissions against the requester', async () => {
      const other = await startTestApp({ INTAKE_RATE_LIMIT: '2' });
      try {
        for (let i = 0; i < 5; i++) await post(other, makeTicketBody({ contact_email: 'broken' })).expect(400);
        await post(other).expect(201);
        await post(other).expect(201);
        await post(other).expect(429);
      } finally {
        await other.close();
      }
    });
  });

  describe('TRUST_PROXY on', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ INTAKE_RATE_LIMIT: '2', INTAKE_USERNAME_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
    });
    afterAll(() => t.close());

    it('counts per forwarded client address', async () => {
      await post(t).set('X-Forwarded-For', '203.0.113.1').expect(201);
      await post(t).set('X-Forwarded-For', '203.0.113.1').expect(201);
      await post(t).set('X-Forwarded-For', '203.0.113.1').expect(429);
      await post(t).set('X-Forwarded-For', '203.0.113.2').expect(201);
    });

    it('limits requests for one username across addresses, per day', async () => {
      for (let i = 0; i < 3; i++) {
        await post(t, makeTicketBody({ username: 'target', contact_email: `x${i}@example.org` }))
          .set('X-Forwarded-For', `198.51.100.${i + 10}`)
          .expect(201);
      }
      const refused = await post(t, makeTicketBody({ username: 'TARGET', contact_email: 'x9@example.org' }))
        .set('X-Forwarded-For', '198.51.100.99')
        .expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(23 * 3600);
      await post(t, makeTicketBody({ username: 'someone-else' }))
        .set('X-Forwarded-For', '198.51.100.98')
        .expect(201);
    });
  });

  it('0 turns the limit off', async () => {
    const t = await startTestApp({ INTAKE_RATE_LIMIT: '0', INTAKE_USERNAME_RATE_LIMIT: '0' });
    try {
      for (let i = 0; i < 12; i++) await post(t, makeTicketBody({ username: 'same-name' })).expect(201);
    } finally {
      await t.close();
    }
  });
});
