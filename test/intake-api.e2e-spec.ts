import request from 'supertest';
import { Ticket, TicketAccessToken } from '../src/tickets/ticket.entity.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { intakeRowCounts } from './support/row-counts.js';
import { expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { OutboxMessage } from '../src/jobs/outbox.entity.js';

const rowCounts = intakeRowCounts;

describe('POST /api/v1/tickets', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await seedDirectory(t, [makeAccount({ username: 'alice' })]);
  });
  afterAll(() => t.close());

  it('commits the ticket and answers 201 with a reference, a status link and the state', async () => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(
        makeTicketBody({
          username: 'Alice',
          contact_email: '  Alice@Example.ORG ',
          previous_emails: ['Old@Example.org', 'old@example.org'],
          projects: ['wonderland'],
          joined_approx: '2016-03',
          has_2fa: true,
          has_recovery_codes: false,
          details: 'I pushed the first release.',
        }),
      )
      .expect(201);
    expect(res.body).toEqual({
      reference: expect.stringMatching(/^RD-[2-9A-Z]{6}$/),
      status_url: expect.stringMatching(/^http:\/\/recovery\.test\/status\/[A-Za-z0-9_-]{43}$/),
      state: 'submitted',
      follow_up: false,
      message: expect.any(String),
    });
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: res.body.reference });
    expect(ticket).toMatchObject({
      username: 'Alice',
      usernameKey: 'alice',
      contactEmail: 'alice@example.org',
      requestType: 'lost_2fa',
      state: 'submitted',
      cocVersion: '2026-11',
      accountId: expect.any(String),
      claims: {
        previousEmails: ['old@example.org'],
        projects: ['wonderland'],
        joinedApprox: '2016-03',
        has2fa: 'yes',
        hasRecoveryCodes: 'no',
        details: 'I pushed the first release.',
      },
    });
    expect(ticket.cocAcceptedAt).toBeInstanceOf(Date);
    expect(Math.abs(ticket.cocAcceptedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('keeps only a SHA-256 of the status token: no column anywhere holds the token itself', async () => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody()).expect(201);
    const token = statusTokenIn(res.body.status_url);
    const mail = await expectEventually(() => {
      const found = readMails(t.mailDir).find((m) => m.text.includes(token));
      if (!found) throw new Error('acknowledgement not mailed yet');
      return found;
    });
    expect(mail.subject).toContain(res.body.reference);
    const tables = ['tickets', 'ticket_events', 'ticket_access_tokens', 'outbox', 'ticket_links'];
    for (const table of tables) {
      const rows: Record<string, unknown>[] = await t.dataSource.query(`SELECT * FROM ${table}`);
      expect(JSON.stringify(rows)).not.toContain(token);
    }
    const hashes = await t.dataSource.getRepository(TicketAccessToken).find();
    expect(hashes.every((h) => /^[0-9a-f]{64}$/.test(h.tokenHash))).toBe(true);
    // once delivered, the sealed mail is emptied from the outbox
    await expectEventually(async () => {
      const pending = await t.dataSource.getRepository(OutboxMessage).find();
      expect(pending.every((row) => row.payload === null && row.processedAt !== null)).toBe(true);
    });
  });

  it('builds the status link from PUBLIC_BASE_URL, never from a spoofed Host header', async () => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .send(makeTicketBody())
      .expect(201);
    expect(res.body.status_url.startsWith('http://recovery.test/status/')).toBe(true);
  });

  it('answers 400 naming every bad field with its reason, and writes nothing', async () => {
    const before = await rowCounts(t);
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send({
        username: '-bad name-',
        contact_email: 'not-an-address',
        request_type: 'steal_it',
        previous_emails: ['x@example.org', 'nope'],
        projects: ['ok-name', 'bad name!'],
        joined_approx: '16/03',
        has_2fa: 'maybe',
        has_recovery_codes: 3,
        details: 'a'.repeat(5001),
        coc_accepted: false,
        delay_acknowledged: 'yes',
        favourite_colour: 'blue',
      })
      .expect(400);
    expect(res.body.error).toBe('validation_failed');
    const fields = (res.body.errors as { field: string; reasons: string[] }[]).map((e) => e.field).sort();
    expect(fields).toEqual(
      [
        'coc_accepted',
        'contact_email',
        'delay_acknowledged',
        'details',
        'favourite_colour',
        'has_2fa',
        'has_recovery_codes',
        'joined_approx',
        'previous_emails',
        'projects',
        'request_type',
        'username',
      ].sort(),
    );
    for (const error of res.body.errors) expect(error.reasons.length).toBeGreaterThan(0);
    expect(res.body.errors.find((e: { field: string }) => e.field === 'favourite_colour').reasons).toEqual(['is not an accepted field']);
    expect(await rowCounts(t)).toEqual(before);
  });

  it.each([
    ['a quoted local part with a comma', '"a,evil@attacker.example"@example.org'],
    ['a quoted local part with CR/LF', '"a\r\nBcc: evil@attacker.example"@example.org'],
    ['a display name', 'Alice <alice@example.org>'],
    ['HTML in the local part', '"<img src=x>"@example.org'],
  ])('refuses a contact address with %s (400 naming contact_email), writes nothing and sends no mail', async (_why, address) => {
    const before = await rowCounts(t);
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ contact_email: address }))
      .expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['contact_email']);
    expect(res.body.errors[0].reasons).toEqual([
      'contact_email must be an e-mail address such as name@example.org (no quotes, commas, spaces or angle brackets)',
    ]);
    const listed = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ previous_emails: [address] }))
      .expect(400);
    expect(listed.body.errors.map((e: { field: string }) => e.field)).toEqual(['previous_emails']);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('bounds the sizes: 20 addresses, 100 projects, 5,000 characters of details, 64 KiB of body', async () => {
    const before = await rowCounts(t);
    const tooMany = await request(t.server)
      .post('/api/v1/tickets')
      .send(
        makeTicketBody({
          previous_emails: Array.from({ length: 21 }, (_, i) => `a${i}@example.org`),
          projects: Array.from({ length: 101 }, (_, i) => `p${i}`),
        }),
      )
      .expect(400);
    expect(tooMany.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['previous_emails', 'projects']);
    await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ details: 'x'.repeat(5000) }))
      .expect(201);
    const huge = await request(t.server)
      .post('/api/v1/tickets')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(makeTicketBody({ details: 'x'.repeat(70 * 1024) })))
      .expect(413);
    expect(huge.body.error).toBe('payload_too_large');
    const after = await rowCounts(t);
    expect(after.tickets).toBe(before.tickets + 1);
  });

  it.each([
    ['an array', '[1,2]'],
    ['a number', '42'],
    ['null', 'null'],
    ['a string', '"hello"'],
    ['broken JSON', '{"username": '],
    ['a prototype key', '{"__proto__": {"admin": true}}'],
  ])('refuses a body that is %s with a 4xx', async (_, body) => {
    const before = await rowCounts(t);
    const res = await request(t.server).post('/api/v1/tickets').set('Content-Type', 'application/json').send(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.message).toEqual(expect.any(String));
    expect(await rowCounts(t)).toEqual(before);
  });

  it('refuses an unsupported content type with 415', async () => {
    await request(t.server).post('/api/v1/tickets').set('Content-Type', 'text/plain').send('username=alice').expect(415);
  });

  it('refuses NUL and other control characters in free text', async () => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ details: 'hello\u0000world' }))
      .expect(400);
    expect(res.body.errors[0].field).toBe('details');
  });

  it('publishes the OpenAPI description of the intake API at /api/docs', async () => {
    const doc = await request(t.server).get('/api/docs/openapi.json').expect(200);
    expect(doc.body.paths['/api/v1/tickets'].post).toBeDefined();
    expect(Object.keys(doc.body.components.schemas.CreateTicketDto.properties)).toEqual(expect.arrayContaining(['username', 'contact_email', 'coc_accepted']));
    await request(t.server).get('/api/docs').expect(200);
  });
});
