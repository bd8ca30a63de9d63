import request from 'supertest';
import { CLAIM_LIMITS } from '../src/tickets/claims.js';
import { Ticket, TicketEvent } from '../src/tickets/ticket.entity.js';
import { TicketState } from '../src/tickets/ticket-state.js';
import { makeTicketBody } from './support/factories.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

/** What one ticket takes from its requester: a cap on additions, and claims no larger than one request's. */
describe('bounds on what a requester adds to one ticket', () => {
  const CAP = 3;
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ REQUESTER_MESSAGES_PER_TICKET: String(CAP) });
  });
  afterAll(() => t.close());

  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
  const additions = async (reference: string) => {
    const ticket = await ticketOf(reference);
    return t.dataSource.getRepository(TicketEvent).count({
      where: [
        { ticketId: ticket.id, type: 'message' },
        { ticketId: ticket.id, type: 'follow_up' },
      ],
    });
  };

  it('takes REQUESTER_MESSAGES_PER_TICKET messages on the status page, then refuses with a 409 naming the cap', async () => {
    const created = await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
    const token = statusTokenIn(created.body.status_url);
    for (let i = 1; i <= CAP; i++) {
      await request(t.server)
        .post(`/status/${token}/messages`)
        .type('form')
        .send({ message: `message ${i}` })
        .expect(303);
    }
    const refused = await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: 'one more' }).expect(409);
    expect(refused.text).toContain(`already holds ${CAP} messages and repeated requests from you, the most one request takes`);
    expect(refused.text).not.toContain('one more</');
    expect(await additions(created.body.reference)).toBe(CAP);
  });

  it("still takes the answer to the team's question past the cap", async () => {
    const created = await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
    const token = statusTokenIn(created.body.status_url);
    for (let i = 1; i <= CAP; i++)
      await request(t.server)
        .post(`/status/${token}/messages`)
        .type('form')
        .send({ message: `m${i}` })
        .expect(303);
    const ticket = await expectEventually(async () => {
      const routed = await ticketOf(created.body.reference);
      expect(routed.state).toBe(TicketState.AwaitingReview);
      return routed;
    });
    await t.dataSource.getRepository(Ticket).update({ id: ticket.id }, { state: TicketState.AwaitingRequester });
    await t.dataSource.getRepository(TicketEvent).insert({
      ticketId: ticket.id,
      type: 'info_requested',
      actor: 'moderator:m1',
      public: true,
      createdAt: new Date(),
      data: { public_text: 'We asked for more information.', message: 'Which address did you use in 2018?' },
    });
    await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: 'It was carol@uni.example.edu' }).expect(303);
    expect((await ticketOf(created.body.reference)).state).toBe(TicketState.AwaitingReview);
    // back in the queue, an unasked message is over the cap again
    await request(t.server).post(`/status/${token}/messages`).type('form').send({ message: 'and another thing' }).expect(409);
    expect(await additions(created.body.reference)).toBe(CAP + 1);
  });

  it('counts repeated requests against the same cap, on the API and the form', async () => {
    const body = makeTicketBody();
    const created = await request(t.server).post('/api/v1/tickets').send(body).expect(201);
    for (let i = 1; i < CAP; i++) await request(t.server).post('/api/v1/tickets').send(body).expect(200);
    await request(t.server)
      .post(`/status/${statusTokenIn(created.body.status_url)}/messages`)
      .type('form')
      .send({ message: 'last one' })
      .expect(303);
    const refused = await request(t.server).post('/api/v1/tickets').send(body).expect(409);
    expect(refused.body).toMatchObject({ error: 'conflict', message: expect.stringContaining(`already holds ${CAP} messages`) });
    const form = await request(t.server)
      .post('/recover')
      .type('form')
      .send({
        username: body.username,
        contact_email: body.contact_email,
        request_type: 'lost_2fa',
        coc_accepted: 'true',
        delay_acknowledged: 'true',
      })
      .expect(409);
    expect(form.text).toContain(`already holds ${CAP} messages`);
    expect(await additions(created.body.reference)).toBe(CAP);
  });

  it("refuses a repeated request that would take the claims past one request's limits, naming each field, and writes nothing", async () => {
    const projects = (from: number, n: number) => Array.from({ length: n }, (_, i) => `proj-${from + i}`);
    const addresses = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}${i}@old.example`);
    const body = makeTicketBody({ projects: projects(0, 60), previous_emails: addresses('p', 12), emails_still_read: addresses('r', 3) });
    const created = await request(t.server).post('/api/v1/tickets').send(body).expect(201);
    const before = await ticketOf(created.body.reference);

    const refused = await request(t.server)
      .post('/api/v1/tickets')
      .send({ ...body, projects: projects(50, 60), previous_emails: addresses('q', 10), emails_still_read: addresses('s', 3) })
      .expect(400);
    expect(refused.body.errors).toEqual([
      {
        field: 'previous_emails',
        reasons: [
          `previous_emails would make 22 addresses on your open request, which already lists 12; one request holds at most ${CLAIM_LIMITS.previous_emails}`,
        ],
      },
      {
        field: 'emails_still_read',
        reasons: [
          `emails_still_read would make 6 addresses on your open request, which already lists 3; one request holds at most ${CLAIM_LIMITS.emails_still_read}`,
        ],
      },
      {
        field: 'projects',
        reasons: [`projects would make 110 projects on your open request, which already lists 60; one request holds at most ${CLAIM_LIMITS.projects}`],
      },
    ]);
    const form = await request(t.server)
      .post('/recover')
      .type('form')
      .send({
        username: body.username,
        contact_email: body.contact_email,
        request_type: 'lost_2fa',
        coc_accepted: 'true',
        delay_acknowledged: 'true',
        projects: projects(100, 41).join('\n'),
      })
      .expect(400);
    expect(form.text).toContain('projects would make 101 projects on your open request');
    const after = await ticketOf(created.body.reference);
    expect(after.claims).toEqual(before.claims);
    expect(await additions(created.body.reference)).toBe(0);

    // what fits is taken: repeated names count once
    await request(t.server)
      .post('/api/v1/tickets')
      .send({ ...body, projects: projects(20, 80) })
      .expect(200);
    expect((await ticketOf(created.body.reference)).claims.projects).toHaveLength(CLAIM_LIMITS.projects);
  });
});
