import request from 'supertest';
import { newSecretToken } from '../src/common/tokens.js';
import { Ticket, TicketAccessToken, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeStoredTicket, makeTicketBody } from './support/factories.js';
import { startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

describe('the private status page', () => {
  let t: TestApp;
  const submit = async (overrides: Record<string, unknown> = {}) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(overrides)).expect(201);
    return { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url) };
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('shows the state in plain words, the timeline, the place in the queue and an unknown wait without history', async () => {
    const { reference, token } = await submit();
    const res = await request(t.server).get(`/status/${token}`).expect(200);
    expect(res.text).toContain(reference);
    expect(res.text).toContain('waiting in the queue');
    expect(res.text).toMatch(/id="queue-position">1</);
    expect(res.text).toMatch(/id="wait-estimate">unknown/);
    expect(res.text).toContain('We received your request.');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-robots-tag']).toBe('noindex');
  });

  it('counts the place in the queue first-in first-out and estimates the wait from recent decisions', async () => {
    const a = await submit();
    const b = await submit();
    const c = await submit();
    const position = async (token: string) => Number(/id="queue-position">(\d+)</.exec((await request(t.server).get(`/status/${token}`)).text)?.[1]);
    const [pa, pb, pc] = [await position(a.token), await position(b.token), await position(c.token)];
    expect([pb - pa, pc - pb]).toEqual([1, 1]);
    // 60 decisions in the last 30 days = 2 a day, and one old decision outside the window
    const now = Date.now();
    const decided = Array.from({ length: 61 }, (_, i) =>
      makeStoredTicket(i, {
        state: i === 60 ? TicketState.Denied : TicketState.Completed,
        createdAt: new Date(now - 90 * 86_400_000),
        updatedAt: new Date(now),
        closedAt: new Date(now),
        decidedAt: new Date(i === 60 ? now - 40 * 86_400_000 : now - (i % 29) * 86_400_000),
      }),
    );
    await t.dataSource.getRepository(Ticket).insert(decided);
    const page = (await request(t.server).get(`/status/${c.token}`)).text;
    expect(/id="wait-estimate">([^<]+)</.exec(page)?.[1]).toBe(`about ${Math.ceil(pc / 2)} days`);
  });

  it('answers every unknown or malformed link with the same 404 page', async () => {
    await submit();
    const pages = await Promise.all(
      [newSecretToken(), 'short', `${newSecretToken()}x`, '%00', '..%2F..%2Fetc'].map((candidate) =>
        request(t.server).get(`/status/${candidate}`).set('Accept', 'text/html'),
      ),
    );
    for (const page of pages) expect(page.status).toBe(404);
    expect(new Set(pages.map((p) => p.text)).size).toBe(1);
  });

  it('a revoked link no longer opens the page', async () => {
    const { reference, token } = await submit();
    const ticket = await ticketOf(reference);
    await t.dataSource.getRepository(TicketAccessToken).update({ ticketId: ticket.id }, { revokedAt: new Date() });
    const res = await request(t.server).get(`/status/${token}`).set('Accept', 'text/html').expect(404);
    const unknown = await request(t.server).get(`/status/${newSecretToken()}`).set('Accept', 'text/html').expect(404);
    expect(res.text).toBe(unknown.text);
  });

  it('takes added information, shows it escaped, and refuses an empty message', async () => {
    const { reference, token } = await submit();
    await request(t.server)
      .post(`/status/${token}/messages`)
      .type('form')
      .send({ message: '<img src=x onerror=alert(1)> I also own foo-lib' })
      .expect(303)
      .expect('Location', `/status/${token}?sent=1`);
    const page = await request(t.server).get(`/status/${token}?sent=1`).expect(200);
    expect(page.text).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; I also own foo-lib');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).toContain('your information was added');
    const empty = await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: '   ' }).expect(400);
    expect(empty.text).toContain('id="message-error"');
    const events = await t.dataSource.getRepository(TicketEvent).findBy({ ticketId: (await ticketOf(reference)).id, type: 'message' });
    expect(events).toHaveLength(1);
  });

  it('shows what the team asked and puts the ticket back in the queue when the requester answers', async () => {
    const { reference, token } = await submit();
    const ticket = await ticketOf(reference);
    await t.dataSource.getRepository(Ticket).update({ id: ticket.id }, { state: TicketState.AwaitingRequester });
    await t.dataSource.getRepository(TicketEvent).insert({
      ticketId: ticket.id,
      type: 'info_requested',
      actor: 'moderator:m1',
      public: true,
      createdAt: new Date(),
      data: { public_text: 'We asked for more information.', message: 'Which address did you use in 2018?' },
    });
    const page = await request(t.server).get(`/status/${token}`).expect(200);
    expect(page.text).toContain('We need more information from you');
    expect(page.text).toContain('Which address did you use in 2018?');
    expect(page.text).not.toContain('id="queue-position"');
    await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: 'It was carol@uni.example.edu' }).expect(303);
    expect((await ticketOf(reference)).state).toBe(TicketState.AwaitingReview);
  });

  it('still withdraws when the ticket changed between its read and its write (the pipeline routing it, a moderator taking it)', async () => {
    const { reference, token } = await submit({ contact_email: 'race@example.org' });
    const ticket = await ticketOf(reference);
    if (t.dataSource.options.type === 'postgres') {
      // Another transaction holds the row and bumps its version; the withdraw reads the old version,
      // waits for the row, loses the optimistic lock, and is tried again on a fresh read.
      const other = t.dataSource.createQueryRunner();
      await other.connect();
      await other.startTransaction();
      await other.query(`UPDATE ${t.dataSource.getMetadata(Ticket).tablePath} SET version = version + 1 WHERE id = $1`, [ticket.id]);
      const withdrawing = request(t.server)
        .post(`/status/${token}/withdraw`)
        .type('form')
        .send({ confirm: 'yes' })
        .then((r) => r);
      await new Promise((r) => setTimeout(r, 300));
      await other.commitTransaction();
      await other.release();
      expect((await withdrawing).status).toBe(303);
    } else {
      // SQLite: a transaction takes the write lock before it reads, so the read is never stale.
      await t.dataSource.getRepository(Ticket).increment({ id: ticket.id }, 'version', 1);
      await request(t.server).post(`/status/${token}/withdraw`).type('form').send({ confirm: 'yes' }).expect(303);
    }
    expect((await ticketOf(reference)).state).toBe(TicketState.Withdrawn);
  });

  it('withdraws only when confirmed, and then takes no more messages', async () => {
    const { reference, token } = await submit();
    const unconfirmed = await request(t.server).post(`/status/${token}/withdraw`).type('form').send({}).expect(400);
    expect(unconfirmed.text).toContain('confirm');
    // Still open: submitted, or already routed to the queue by the pipeline.
    expect([TicketState.Submitted, TicketState.AwaitingReview]).toContain((await ticketOf(reference)).state);
    await request(t.server).post(`/status/${token}/withdraw`).type('form').send({ confirm: 'yes' }).expect(303);
    const ticket = await ticketOf(reference);
    expect(ticket).toMatchObject({ state: TicketState.Withdrawn, openKey: null });
    expect(ticket.closedAt).toBeInstanceOf(Date);
    const page = await request(t.server).get(`/status/${token}`).expect(200);
    expect(page.text).toContain('Withdrawn at your request');
    expect(page.text).not.toContain('action="/status/');
    const late = await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: 'hello?' }).expect(409);
    expect(late.text).toContain('closed');
  });

  // Found by npm run fuzz (docs/security.md #33): a closed request shows no forms, so a 400 beside a field said nothing.
  it('answers a refused form on a closed request with the 409 closed notice, not a 400 nobody can see', async () => {
    const { token } = await submit();
    await request(t.server).post(`/status/${token}/withdraw`).type('form').send({ confirm: 'yes' }).expect(303);
    const posts: [string, Record<string, string>][] = [
      ['messages', { message: '' }],
      ['code', { code: 'x' }],
      ['repositories', { repository: 'not a url' }],
      ['withdraw', {}],
    ];
    for (const [action, form] of posts) {
      const res = await request(t.server).post(`/status/${token}/${action}`).type('form').send(form);
      expect({ action, status: res.status }).toEqual({ action, status: 409 });
      expect(res.text).toContain('This request is closed.');
    }
  });

  // Found by npm run fuzz on PostgreSQL (docs/security.md #33): a NUL byte in the challenge id reached the query and made a 500.
  it('answers a repository check with a malformed challenge id with the 404 page of an unknown one', async () => {
    const { token } = await submit();
    const unknown = await request(t.server).post(`/status/${token}/repositories/00000000-0000-4000-8000-000000000000/check`).set('Accept', 'text/html');
    expect(unknown.status).toBe(404);
    for (const id of ['abc%00def', '%00', 'not-a-uuid', '%EF%BF%BD%00']) {
      const res = await request(t.server).post(`/status/${token}/repositories/${id}/check`).set('Accept', 'text/html');
      expect({ id, status: res.status }).toEqual({ id, status: 404 });
      expect(res.text).toBe(unknown.text);
    }
  });
});
