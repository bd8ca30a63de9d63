import Handlebars from 'handlebars';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { Challenge } from '../src/evidence/challenge.entity.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { pipelineSettled } from './support/row-counts.js';
import { signedInModerator } from './support/staff.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';

const XSS = '<img src=x onerror=alert(1)>';

const ALICE = makeAccount({
  username: 'alice-tp',
  joined_at: '2017-05-02T09:00:00Z',
  linked_github: 'alice-gh',
  emails: [
    { address: 'alice@public.example', verified: true, primary: false, public: true, added_at: '2017-05-02T09:00:00Z', removed_at: null },
    { address: 'alice.private@mail.example', verified: true, primary: true, public: false, added_at: '2017-05-02T09:00:00Z', removed_at: null },
    { address: 'alice@old-work.example', verified: true, primary: false, public: false, added_at: '2017-05-02T09:00:00Z', removed_at: '2021-01-01T00:00:00Z' },
  ],
  two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
  projects: [{ name: 'Fancy_Lib', role: 'Owner', monthly_downloads: 5000, first_release_at: '2017-06-01T00:00:00Z' }],
});

/** One section of the page, by its id (sections do not nest). */
const section = (html: string, id: string): string => {
  const match = new RegExp(`<section [^>]*id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(html);
  if (!match) throw new Error(`no section #${id}`);
  return match[1];
};

/** The claims table's rows: [verdict, label, claimed, public?]. */
const claimRows = (html: string) =>
  [
    ...section(html, 'claims-vs-directory').matchAll(
      /<tr data-verdict="(\w+)">\s*<th scope="row">([^<]*)<\/th>\s*<td class="requester-text">([^<]*)<\/td>[\s\S]*?<\/tr>/g,
    ),
  ].map((m) => [m[1], m[2], m[3], m[0].includes('badge-public')]);

describe("the moderator's ticket page", () => {
  let t: TestApp;
  let ann: TestAgent;

  beforeAll(async () => {
    t = await startTestApp({ RECONCILE_INTERVAL: '1h', EXPIRED_DOMAINS: 'old-work.example' });
    await seedDirectory(t, [ALICE]);
    ann = await signedInModerator(t, 'ann');
  });
  afterAll(() => t?.close());

  const submit = async (body: Record<string, unknown>) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body)).expect(201);
    return { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url) };
  };
  const ticketOf = (reference: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference });

  it('sets the claims beside the directory record, with every signal, the timeline and the Code of Conduct record, all escaped', async () => {
    const { reference, token } = await submit({
      username: 'alice-tp',
      contact_email: 'new-alice@elsewhere.example',
      request_type: 'lost_2fa',
      previous_emails: ['alice@public.example', 'stranger@nowhere.example', 'alice@old-work.example'],
      emails_still_read: ['alice.private@mail.example'],
      projects: ['fancy-lib', 'not-hers'],
      joined_approx: '2017-05',
      has_2fa: true,
      has_recovery_codes: true,
      details: `I released fancy-lib 1.0. ${XSS}`,
    });
    await pipelineSettled(t);
    await request(t.server)
      .post(`/status/${token}/messages`)
      .type('form')
      .send({ message: `More: ${XSS}` })
      .expect(303);
    const ticket = await ticketOf(reference);
    const assessments = await expectEventually(async () => {
      const rows = await t.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } });
      if (rows.length < 2) throw new Error(`${rows.length} assessments so far`);
      return rows;
    });
    await pipelineSettled(t);

    const page = await ann.get(`/dashboard/tickets/${reference}`).expect(200);
    const html = page.text;
    expect(page.headers['cache-control']).toBe('no-store');

    // Claims: matches, contradicts, not on file; public facts marked as public.
    expect(claimRows(html)).toEqual([
      ['matches', 'Username', 'alice-tp', true],
      ['not_on_file', 'Contact address', 'new-alice@elsewhere.example', false],
      ['matches', 'Previous address', 'alice@public.example', true],
      ['contradicts', 'Previous address', 'stranger@nowhere.example', false],
      ['matches', 'Previous address', 'alice@old-work.example', false],
      ['matches', 'Address still read', 'alice.private@mail.example', false],
      ['matches', 'Project', 'fancy-lib', true],
      ['contradicts', 'Project', 'not-hers', true],
      ['matches', 'Joined', '2017-05', true],
      ['matches', 'Two-factor authentication', 'yes', false],
      ['contradicts', 'Unused recovery codes', 'yes', false],
    ]);
    const claims = section(html, 'claims-vs-directory');
    expect(claims).toContain('<span class="verdict verdict-matches">matches</span>');
    expect(claims).toContain('<span class="verdict verdict-contradicts">contradicts</span>');
    expect(claims).toContain('<span class="verdict verdict-not_on_file">not on file</span>');
    expect(claims).toContain('verified, primary, current, never public');
    expect(claims).toContain('verified, removed 2021-01-01, never public, expired domain');
    expect(claims).toContain('Fancy_Lib (Owner)');
    expect(claims).not.toContain('No account with this username');

    // The latest assessment: score, band, rule version and every signal with its reason.
    const latest = assessments.at(-1)!;
    const evidence = section(html, 'evidence-signals');
    expect(evidence).toContain(`<dt>Score</dt><dd>${latest.score}</dd>`);
    expect(evidence).toContain(`<dt>Band</dt><dd>${latest.band}</dd>`);
    expect(evidence).toContain(latest.ruleVersion);
    expect(latest.signals.length).toBeGreaterThan(5);
    for (const signal of latest.signals) expect(evidence).toContain(Handlebars.escapeExpression(signal.reason));
    expect(evidence).toMatch(/<td class="effect effect-negative">-6<\/td>/);
    expect(section(html, 'risk-flags')).toContain('expired_domain');

    // Challenges: what and where, never the code's digest.
    const challenges = section(html, 'challenges');
    const rows = await t.dataSource.getRepository(Challenge).findBy({ ticketId: ticket.id });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(challenges).toContain('e-mail code');
    expect(challenges).toContain('alice.private@mail.example');
    expect(challenges).toContain('decoy');
    for (const c of rows) if (c.secretHash) expect(html).not.toContain(c.secretHash);

    // The whole timeline, public and internal, oldest first.
    const timeline = section(html, 'timeline');
    const lines = [
      'Submitted by the requester (Code of Conduct 2026-11 accepted).',
      'Assessed (submitted)',
      'Routed to the moderators&#x27; queue.',
      'The requester added information.',
      'Assessed (message)',
    ];
    const positions = lines.map((line) => timeline.indexOf(line));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(timeline).toContain('requester sees');
    expect(timeline).toContain('internal');

    expect(section(html, 'coc-record')).toMatch(/Accepted at intake, version 2026-11, at <time datetime="[^"]+">[^<]+ UTC<\/time>\./);

    // Requester text is text, never markup.
    expect(html).not.toContain(XSS);
    expect(html).not.toContain('<img');
    expect(section(html, 'timeline')).toContain('More: &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('I released fancy-lib 1.0. &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('says "No account with this username" when there is none, and marks every claim not on file', async () => {
    const { reference } = await submit({
      username: 'nobody-here',
      previous_emails: ['alice@public.example'],
      projects: ['fancy-lib'],
      joined_approx: '2017',
      has_2fa: false,
    });
    await pipelineSettled(t);
    const html = (await ann.get(`/dashboard/tickets/${reference}`).expect(200)).text;
    expect(section(html, 'claims-vs-directory')).toContain('No account with this username');
    const rows = claimRows(html);
    expect(rows.map((r) => r[1])).toEqual(['Username', 'Contact address', 'Previous address', 'Project', 'Joined', 'Two-factor authentication']);
    expect(rows.every(([verdict, , , isPublic]) => verdict === 'not_on_file' && isPublic === false)).toBe(true);
    expect(section(html, 'risk-flags')).toContain('no_such_account');
    expect(html).not.toContain('id="directory-record"');
  });

  it('answers an unknown reference with the 404 page', async () => {
    const page = await ann.get('/dashboard/tickets/RD-ZZZZZZ').expect(404);
    expect(page.text).toContain('No such ticket');
    await ann.get('/dashboard/tickets/RD-1%3Cb%3E').expect(404);
  });
});
