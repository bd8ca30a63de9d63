import request from 'supertest';
import { makeTicketBody } from './support/factories.js';
import { EVENTUALLY_MS, startTestApp } from './support/test-app.js';

/**
 * Closing the app while tickets are still being mailed must finish: the outbox relay and the mail worker
 * stop before the database pool closes (a pool that closes under a queued request never answers it).
 */
describe('shutting down while work is in flight', () => {
  it('closes, every time, right after accepting tickets', async () => {
    for (let round = 0; round < 8; round++) {
      const t = await startTestApp();
      const posts = Array.from({ length: 6 }, () => request(t.server).post('/api/v1/tickets').send(makeTicketBody()));
      await Promise.all(posts.map((p) => p.expect(201)));
      // A hang, not a speed: the bound is generous, and a close that never finishes fails here by name.
      const hung = new Promise<'still closing'>((r) => setTimeout(() => r('still closing'), EVENTUALLY_MS).unref());
      expect({ round, close: await Promise.race([t.close().then(() => 'closed' as const), hung]) }).toEqual({ round, close: 'closed' });
    }
  });
});
