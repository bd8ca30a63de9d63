import request from 'supertest';
import { makeTicketBody } from './support/factories.js';
import { SmtpSink } from './support/smtp-sink.js';
import { EVENTUALLY_MS, expectEventually, readMails, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { OutboxMessage, OutboxTopic } from '../src/jobs/outbox.entity.js';

describe('mail over SMTP (SMTP_URL set)', () => {
  const smtp = new SmtpSink();
  let t: TestApp;

  beforeAll(async () => {
    await smtp.start();
    t = await startTestApp({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: 'Desk <desk@example.org>' });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('sends the acknowledgement through the SMTP server, not to files', async () => {
    const res = await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ contact_email: 'smtp-user@example.org' }))
      .expect(201);
    const message = await expectEventually(() => {
      expect(smtp.messages).toHaveLength(1);
      return smtp.messages[0];
    });
    expect(message.from).toBe('desk@example.org');
    expect(message.to).toEqual(['smtp-user@example.org']);
    expect(message.data).toContain(`Subject: [${res.body.reference}]`);
    const body = message.data.replace(/=\n/g, '');
    expect(statusTokenIn(body)).toBe(statusTokenIn(res.body.status_url));
    expect(readMails(t.mailDir)).toHaveLength(0);
    await expectEventually(async () => {
      const row = await t.dataSource.getRepository(OutboxMessage).findOneByOrFail({ topic: OutboxTopic.Mail });
      expect(row).toMatchObject({ payload: null, lastError: null });
      expect(row.processedAt).toBeInstanceOf(Date);
    });
  });

  it('keeps a mail the SMTP server refused to take, and delivers it once the server is back', async () => {
    await smtp.stop();
    const before = smtp.messages.length;
    await request(t.server)
      .post('/api/v1/tickets')
      .send(makeTicketBody({ contact_email: 'later@example.org' }))
      .expect(201);
    await expectEventually(
      async () => {
        const row = await t.dataSource.getRepository(OutboxMessage).findOneOrFail({ where: { topic: OutboxTopic.Mail }, order: { createdAt: 'DESC' } });
        expect(row.lastError).toMatch(/ECONNREFUSED/);
        expect(row.payload).not.toBeNull();
      },
      EVENTUALLY_MS,
      100,
    );
    await smtp.start();
    await expectEventually(() => expect(smtp.messages.slice(before).map((m) => m.to[0])).toEqual(['later@example.org']), EVENTUALLY_MS, 200);
  });
});
