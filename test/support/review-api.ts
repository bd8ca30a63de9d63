import request from 'supertest';
import type { TestApp } from './test-app.js';

export const REVIEW_TOKEN = 'review-api-token-for-tests-0123456789abcdef';

/** The staff review API as one moderator sees it. */
export function moderator(t: TestApp, id: string) {
  const post = (path: string, body?: Record<string, unknown>) => {
    const req = request(t.server).post(`/api/v1/review${path}`).set('Authorization', `Bearer ${REVIEW_TOKEN}`).set('X-Moderator', id);
    return body ? req.send(body) : req;
  };
  return {
    next: () => post('/next'),
    renew: (ref: string) => post(`/tickets/${ref}/lease`),
    release: (ref: string) => post(`/tickets/${ref}/release`),
    escalate: (ref: string, reason: string) => post(`/tickets/${ref}/escalate`, { reason }),
    reassign: (ref: string, to: string) => post(`/tickets/${ref}/reassign`, { to }),
    reopen: (ref: string, reason: string) => post(`/tickets/${ref}/reopen`, { reason }),
  };
}
