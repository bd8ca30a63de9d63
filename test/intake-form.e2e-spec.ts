import request from 'supertest';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

const validForm = {
  username: 'carol',
  contact_email: 'carol@example.org',
  request_type: 'forgot_password',
  previous_emails: 'old@example.org\nolder@example.net',
  projects: 'carol-tools, carol-lib',
  joined_approx: '2019',
  has_2fa: 'false',
  has_recovery_codes: 'unknown',
  details: 'I released carol-tools 1.0.',
  coc_accepted: 'true',
  delay_acknowledged: 'true',
};

describe('the requester pages', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('explains the process at / in plain words and links to the form', async () => {
    const res = await request(t.server)
      .get('/')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(res.text).toContain('href="/recover"');
    expect(res.text).toMatch(/proves very little/);
    expect(res.text).toMatch(/weeks, sometimes months/);
    expect(res.text).toMatch(/recovery codes/);
  });

  it('shows the Code of Conduct with its version', async () => {
    const res = await request(t.server).get('/code-of-conduct').expect(200);
    expect(res.text).toContain('Version 2026-11');
  });

  it('serves the form with a label for every field and a strict CSP', async () => {
    const res = await request(t.server).get('/recover').expect(200);
    for (const field of ['username', 'contact_email', 'request_type', 'previous_emails', 'projects', 'joined_approx', 'details']) {
      expect(res.text).toContain(`<label for="${field}"`);
      expect(res.text).toContain(`name="${field}"`);
    }
    expect(res.text).toContain('name="coc_accepted"');
    expect(res.text).toContain('name="delay_acknowledged"');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.text).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('re-renders a bad form with the values kept and a message beside each wrong field, writing nothing', async () => {
    const res = await request(t.server)
      .post('/recover')
      .type('form')
      .send({ ...validForm, contact_email: 'not-an-address', previous_emails: 'ok@example.org\nbroken', coc_accepted: '', details: '<b>mine</b>' })
      .expect(400);
    expect(res.text).toContain('id="contact_email-error"');
    expect(res.text).toContain('Enter an e-mail address where we can reach you');
    expect(res.text).not.toMatch(/contact_email must/); // people read words, not wire names
    expect(res.text).toContain('id="previous_emails-error"');
    expect(res.text).toContain('id="coc_accepted-error"');
    expect(res.text).not.toContain('id="username-error"');
    expect(res.text).toContain('value="carol"');
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toContain('ok@example.org\nbroken');
    expect(res.text).toContain('&lt;b&gt;mine&lt;/b&gt;');
    expect(res.text).not.toContain('<b>mine</b>');
    expect(await t.dataSource.getRepository(Ticket).count()).toBe(0);
  });

  // Found by npm run fuzz (docs/security.md #33): the route parses JSON too, whose values are not text.
  it('answers a JSON body whose fields are not text with a 400 naming the field, writing nothing', async () => {
    const before = await t.dataSource.getRepository(Ticket).count();
    // Raw JSON text for each value: arrays nested 5,000 deep would overflow JSON.stringify in the test itself.
    const bodies: [string, string][] = [
      ['username', '{"toString":null}'],
      ['username', '['.repeat(5000) + ']'.repeat(5000)],
      ['projects', '[{"a":1},"x"]'],
      ['coc_accepted', 'true'],
    ];
    for (const [field, value] of bodies) {
      const rest = JSON.stringify(Object.fromEntries(Object.entries(validForm).filter(([k]) => k !== field)));
      const res = await request(t.server)
        .post('/recover')
        .set('Accept', 'text/html')
        .set('Content-Type', 'application/json')
        .send(`{"${field}":${value},${rest.slice(1)}`)
        .expect(400);
      expect(res.text).toContain(`href="#${field}"`);
    }
    expect(await t.dataSource.getRepository(Ticket).count()).toBe(before);
  });

  it('accepts a good form, shows the reference and the status link once, and records the Code of Conduct', async () => {
    const res = await request(t.server).post('/recover').type('form').send(validForm).expect(201);
    const reference = /RD-[2-9A-Z]{6}/.exec(res.text)?.[0];
    expect(reference).toBeDefined();
    const token = statusTokenIn(res.text);
    expect(res.headers['cache-control']).toBe('no-store');
    const ticket = await t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });
    expect(ticket).toMatchObject({
      usernameKey: 'carol',
      requestType: 'forgot_password',
      cocVersion: '2026-11',
      claims: {
        previousEmails: ['old@example.org', 'older@example.net'],
        projects: ['carol-tools', 'carol-lib'],
        joinedApprox: '2019',
        has2fa: 'no',
        hasRecoveryCodes: 'unknown',
      },
    });
    expect(ticket.cocAcceptedAt).toBeInstanceOf(Date);
    await request(t.server).get(`/status/${token}`).expect(200);
  });

  it('refuses a cross-site form post', async () => {
    await request(t.server)
      .post('/recover')
      .type('form')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Origin', 'https://evil.example')
      .send({ ...validForm, contact_email: 'other@example.org' })
      .expect(403);
  });

  it('serves the stylesheet the pages use', async () => {
    await request(t.server)
      .get('/static/app.css')
      .expect(200)
      .expect('Content-Type', /text\/css/);
  });

  it('answers an unknown page with a 404 page, not a stack', async () => {
    const res = await request(t.server).get('/no-such-page').set('Accept', 'text/html').expect(404);
    expect(res.text).toContain('Not found');
  });
});
