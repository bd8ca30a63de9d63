import request from 'supertest';
import { makeTicketBody } from './support/factories.js';
import { startTestApp } from './support/test-app.js';

/**
 * Closing the app while tickets are still being mailed must finish: the outbox relay and the mail worker
 * stop before the database pool closes (a pool that closes under a queued request never answers it).
 */
describe('shutting down while work is in flight', () => {
  it('closes promptly, every time, right after accepting tickets', async () => {
    for (let round = 0; round < 8; round++) {
      const t = await startTestApp();
      const posts = Array.from({ length: 6 }, () => request(t.server).post('/api/v1/tickets').send(makeTicketBody()));
      await Promise.all(posts.map((p) => p.expect(201)));
      const started = Date.now();
      await t.close();
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  });
});
