import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

/**
 * A browser of its own (its own session cookie) on `server`, always speaking from `ip`: with
 * TRUST_PROXY=true, each test keeps its own per-address allowances.
 */
export function agentAt(server: import('node:http').Server, ip: string) {
  const agent: TestAgent = request.agent(server);
  return {
    agent,
    get: (path: string) => agent.get(path).set('X-Forwarded-For', ip),
    form: (path: string, body: Record<string, string>) => agent.post(path).set('X-Forwarded-For', ip).type('form').send(body),
    json: (path: string, csrf: string, body: unknown) =>
      agent
        .post(path)
        .set('X-Forwarded-For', ip)
        .set('X-CSRF-Token', csrf)
        .send(body as object),
  };
}
