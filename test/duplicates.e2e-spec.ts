import request from 'supertest';
import { OutboxMessage } from '../src/jobs/outbox.entity.js';
import { Ticket, TicketEvent, TicketLink } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeAccount, makeStoredTicket, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

describe('duplicate and competing requests', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await seedDirectory(t, [makeAccount({ username: 'dora' })]);
  });
  afterAll(() => t.close());

  const mailsTo = (address: string) => readMails(t.mailDir).filter((m) => m.to === address);

  it('folds a second request from the same address into the open ticket and mails the status link again', async () => {
    const first = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'dora', contact_email: 'dora@example.org', details: 'first' }))
      .expect(201);
    await expectEventually(() => expect(mailsTo('dora@example.org')).toHaveLength(1));

    const second = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'DORA', contact_email: 'Dora@Example.org', details: 'second', projects: ['dora-lib'] }))
      .expect(200);
    expect(second.body).toMatchObject({ reference: first.body.reference, status_url: null, follow_up: true });
    expect(['submitted', 'awaiting_review']).toContain(second.body.state); // routed by the pipeline, or not yet
    expect(JSON.stringify(second.body)).not.toMatch(/\/status\//);

    const tickets = await t.dataSource.getRepository(Ticket).findBy({ usernameKey: 'dora' });
    expect(tickets).toHaveLength(1);
    const followUp = await t.dataSource.getRepository(TicketEvent).findOneByOrFail({ ticketId: tickets[0].id, type: 'follow_up' });
    expect(followUp.data).toMatchObject({ claims: { details: 'second', projects: ['dora-lib'] } });

    const mails = await expectEventually(() => {
      const found = mailsTo('dora@example.org');
      expect(found).toHaveLength(2);
      return found;
    });
    const again = mails.find((m) => m.subject.includes('already open'))!;
    const newToken = statusTokenIn(again.text);
    expect(newToken).not.toBe(statusTokenIn(first.body.status_url));
    // both links lead to the same ticket, and the follow-up keeps the ticket's place (its created_at is unchanged)
    const page = await request(t.server).get(`/status/${newToken}`).expect(200);
    expect(page.text).toContain(first.body.reference);
    expect(page.text).toContain('You sent the request again');
    await request(t.server)
      .get(`/status/${statusTokenIn(first.body.status_url)}`)
      .expect(200);
    expect((await t.dataSource.getRepository(Ticket).findOneByOrFail({ id: tickets[0].id })).createdAt).toEqual(tickets[0].createdAt);
  });

  it('the form tells the requester it was added, without showing a link', async () => {
    const res = await request(t.server)
      .post('/recover')
      .type('form')
      .send({
        username: 'dora',
        contact_email: 'dora@example.org',
        request_type: 'lost_2fa',
        coc_accepted: 'true',
        delay_acknowledged: 'true',
      })
      .expect(200);
    expect(res.text).toContain('already have an open request');
    expect(res.text).not.toMatch(/\/status\/[A-Za-z0-9_-]{43}/);
  });

  it('opens a new ticket for another contact address, links both and flags them as competing', async () => {
    const other = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'dora', contact_email: 'not-dora@example.net' }))
      .expect(201);
    expect(other.body.follow_up).toBe(false);
    const tickets = await t.dataSource.getRepository(Ticket).find({ where: { usernameKey: 'dora' }, order: { createdAt: 'ASC' } });
    expect(tickets).toHaveLength(2);
    expect(tickets.every((ticket) => ticket.competing)).toBe(true);
    const links = await t.dataSource.getRepository(TicketLink).find();
    expect(links.map((l) => [l.ticketId, l.linkedTicketId]).sort()).toEqual(
      [
        [tickets[0].id, tickets[1].id],
        [tickets[1].id, tickets[0].id],
      ].sort(),
    );
    const events = await t.dataSource.getRepository(TicketEvent).findBy({ type: 'competing_request' });
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.public === false)).toBe(true);
    // the requester is not told about the other request
    expect(JSON.stringify(other.body)).not.toMatch(/compet/i);
    const page = await request(t.server).get(new URL(other.body.status_url).pathname).expect(200);
    expect(page.text).not.toMatch(/compet/i);
  });

  it('a third address joins the competition: it is flagged and linked to the earliest ticket, the others are left alone', async () => {
    const competingEvents = () => t.dataSource.getRepository(TicketEvent).countBy({ type: 'competing_request' });
    const before = await competingEvents();
    const third = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'dora', contact_email: 'third@example.com' }))
      .expect(201);
    const tickets = await t.dataSource.getRepository(Ticket).find({ where: { usernameKey: 'dora' }, order: { createdAt: 'ASC', id: 'ASC' } });
    expect(tickets).toHaveLength(3);
    expect(tickets.every((ticket) => ticket.competing)).toBe(true);
    const newest = tickets.find((ticket) => ticket.reference === third.body.reference)!;
    const links = await t.dataSource.getRepository(TicketLink).findBy({ ticketId: newest.id });
    expect(links.map((l) => l.linkedTicketId)).toEqual([tickets[0].id]);
    expect(await t.dataSource.getRepository(TicketLink).count()).toBe(4);
    // one line, on the new ticket, naming the earliest: the rivals already flagged are not written to again
    expect(await competingEvents()).toBe(before + 1);
    const line = await t.dataSource.getRepository(TicketEvent).findOneByOrFail({ ticketId: newest.id, type: 'competing_request' });
    expect(line.data).toEqual({ reference: tickets[0].reference });
  });

  it('concurrent identical submissions still make one ticket', async () => {
    const body = makeTicketBody({ username: 'racer', contact_email: 'racer@example.org' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => request(t.server).post('/api/v1/tickets').send(body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(await t.dataSource.getRepository(Ticket).countBy({ usernameKey: 'racer' })).toBe(1);
  });

  it('once the open ticket is withdrawn, the same address can file a new one', async () => {
    const first = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'eve', contact_email: 'eve@example.org' }))
      .expect(201);
    const token = statusTokenIn(first.body.status_url);
    await request(t.server).post(`/status/${token}/withdraw`).type('form').send({ confirm: 'yes' }).expect(303);
    const again = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username: 'eve', contact_email: 'eve@example.org' }))
      .expect(201);
    expect(again.body.reference).not.toBe(first.body.reference);
  });
});

describe('the cost of a new competing request', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** Rows in the tables a new ticket and its rivals are written to, once the background work settled. */
  const rows = async () => {
    await pipelineSettled(t);
    const [links, events, outbox, tickets] = await Promise.all([
      t.dataSource.getRepository(TicketLink).count(),
      t.dataSource.getRepository(TicketEvent).count(),
      t.dataSource.getRepository(OutboxMessage).count(),
      t.dataSource.getRepository(Ticket).count(),
    ]);
    return { links, events, outbox, tickets };
  };
  const openRivals = async (username: string, n: number, offset: number) => {
    const start = Date.now() - 86_400_000;
    await t.dataSource.getRepository(Ticket).insert(
      Array.from({ length: n }, (_, i) =>
        makeStoredTicket(offset + i, {
          username,
          usernameKey: username,
          contactEmail: `rival${i}@${username}.example`,
          openKey: `${username}|rival${i}@${username}.example`,
          state: TicketState.AwaitingReview,
          competing: n > 1,
          createdAt: new Date(start + i * 1000),
          updatedAt: new Date(start + i * 1000),
        }),
      ),
    );
  };
  const written = async (username: string) => {
    const before = await rows();
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ username, contact_email: `new@${username}.example` }))
      .expect(201);
    const after = await rows();
    return {
      res,
      delta: {
        links: after.links - before.links,
        events: after.events - before.events,
        outbox: after.outbox - before.outbox,
        tickets: after.tickets - before.tickets,
      },
    };
  };

  it('writes as many rows with 100 open rivals as with 2, and links the new ticket to the earliest', async () => {
    await openRivals('pair', 2, 1000);
    await openRivals('crowd', 100, 2000);
    const few = await written('pair');
    const many = await written('crowd');
    expect(many.delta).toEqual(few.delta);
    expect(many.delta.links).toBe(2);
    const newest = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: many.res.body.reference });
    expect(newest.competing).toBe(true);
    const [link] = await t.dataSource.getRepository(TicketLink).findBy({ ticketId: newest.id });
    const earliest = await t.dataSource.getRepository(Ticket).findOne({ where: { usernameKey: 'crowd' }, order: { createdAt: 'ASC' } });
    expect(link.linkedTicketId).toBe(earliest!.id);
    // no rival was written to: each was flagged already
    expect(await t.dataSource.getRepository(TicketEvent).countBy({ type: 'competing_request' })).toBe(2);
  });
});
