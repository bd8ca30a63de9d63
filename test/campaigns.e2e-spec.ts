import request from 'supertest';
import { AssessmentRecord } from '../src/evidence/assessment.entity.js';
import { CampaignMember, CampaignSignature } from '../src/evidence/campaign.entity.js';
import { Ticket } from '../src/tickets/ticket.entity.js';
import { makeAccount, makeTicketBody, seedDirectory } from './support/factories.js';
import { expectEventually, startTestApp, statusTokenIn, type TestApp } from './support/test-app.js';
import { signedInModerator } from './support/staff.js';

// A small takeover campaign among ordinary requests, through the API, the pipeline (Redis), the
// database and the moderators' pages (docs/evidence.md, "Coordinated requests"; docs/security.md,
// "coordinated requests").

const TARGETS = ['numlib-core', 'httpkit-dev', 'yamlish', 'crypto-utils', 'webframe'];
const big = (username: string) =>
  makeAccount({
    username,
    projects: [{ name: `${username}-pkg`, role: 'Owner', monthly_downloads: 5_000_000, first_release_at: '2016-04-01T00:00:00Z' }],
  });
const ORDINARY = ['olga-p', 'kenji-t', 'maria-s', 'tom-b', 'ines-r', 'raj-k'];
const PARAGRAPH = (username: string) =>
  `Hello, I am the maintainer of ${username}-pkg and lost my phone with the authenticator app during a trip last week. ` +
  `The project has a security release waiting and users depend on it, so please reset the second factor on ${username} as soon as possible.`;

describe('coordinated requests: a campaign among ordinary requests', () => {
  let t: TestApp;
  const refs = new Map<string, { reference: string; token: string }>();

  beforeAll(async () => {
    t = await startTestApp({ INTAKE_RATE_LIMIT: '1000' });
    await seedDirectory(t, [...TARGETS.map(big), ...ORDINARY.map((username) => makeAccount({ username }))]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const submit = async (key: string, body: Record<string, unknown>) => {
    const res = await request(t.server).post('/api/v1/tickets').send(makeTicketBody(body)).expect(201);
    refs.set(key, { reference: res.body.reference as string, token: statusTokenIn(res.body.status_url as string) });
  };
  const ticketOf = (key: string) => t.dataSource.getRepository(Ticket).findOneByOrFail({ reference: refs.get(key)!.reference });
  const latestAssessment = async (key: string) => {
    const ticket = await ticketOf(key);
    return t.dataSource.getRepository(AssessmentRecord).findOne({ where: { ticketId: ticket.id }, order: { id: 'DESC' } });
  };

  it('flags every request of the campaign, the earlier ones too, and none of the ordinary ones', async () => {
    // Ordinary traffic around it: big providers, a workplace, personal domains; the stock sentences owners write.
    const ordinaryContacts = [
      'olga.p@gmail.com',
      'kenji@corp-one.example',
      'maria.s@outlook.com',
      'tom@tom-b.example',
      'ines.r@corp-one.example',
      'raj@gmail.com',
    ];
    for (const [i, username] of ORDINARY.entries()) {
      if (i === 2) {
        // The campaign starts between ordinary requests.
        for (const target of TARGETS.slice(0, 3))
          await submit(target, { username: target, contact_email: `recovery.${target}@mailbox-fresh.example`, details: PARAGRAPH(target) });
      }
      await submit(username, { username, contact_email: ordinaryContacts[i], details: 'I am the owner of this account and cannot log in any more.' });
    }
    for (const target of TARGETS.slice(3))
      await submit(target, { username: target, contact_email: `recovery.${target}@mailbox-fresh.example`, details: PARAGRAPH(target) });

    // The first campaign request is assessed again once the cluster forms.
    await expectEventually(async () => {
      for (const target of TARGETS) {
        const latest = await latestAssessment(target);
        if (!latest?.riskFlags.includes('coordinated_requests')) throw new Error(`${target} not flagged yet`);
      }
    });
    const first = await t.dataSource.getRepository(AssessmentRecord).find({ where: { ticketId: (await ticketOf(TARGETS[0])).id }, order: { id: 'ASC' } });
    expect(first.map((a) => a.trigger)).toEqual(['submitted', 'coordinated_requests']);
    expect(first[1].riskFlags).toEqual(expect.arrayContaining(['coordinated_requests', 'second_moderator_required']));
    expect((await ticketOf(TARGETS[0])).riskFlags).toContain(' coordinated_requests ');

    // Two clusters of the same five tickets: the fresh domain (from the third request on, as the text
    // and the targets corroborate it) and the copied paragraph (from the fifth, on any domain).
    const members = await t.dataSource.getRepository(CampaignMember).find();
    const campaignIds = (await Promise.all(TARGETS.map(ticketOf))).map((ticket) => ticket.id).sort();
    for (const kind of ['contact_domain', 'details_template'] as const) {
      const ofKind = members.filter((m) => m.kind === kind);
      expect(new Set(ofKind.map((m) => m.clusterId)).size).toBe(1);
      expect(ofKind.map((m) => m.ticketId).sort()).toEqual(campaignIds);
    }
    expect(members).toHaveLength(2 * TARGETS.length);

    for (const username of ORDINARY) {
      const latest = await expectEventually(async () => (await latestAssessment(username)) ?? Promise.reject(new Error('not assessed')));
      expect(latest.riskFlags).not.toContain('coordinated_requests');
    }
    // Every request has a signature: domains only, never an address.
    const signatures = await t.dataSource.getRepository(CampaignSignature).find();
    expect(signatures).toHaveLength(TARGETS.length + ORDINARY.length);
    for (const s of signatures) expect(s.contactDomain).not.toContain('@');
  });

  it('shows moderators the cluster on the ticket page and the flag in the queue', async () => {
    const ann = await signedInModerator(t, 'ann-campaign');
    const html = (await ann.get(`/dashboard/tickets/${refs.get(TARGETS[0])!.reference}`).expect(200)).text;
    expect(html).toContain('id="campaign-clusters"');
    expect(html).toMatch(
      /contact domain mailbox-fresh\.example, new this week \(first seen \d+ min ago\), 5 requests for 5 different accounts in \d+ min, 5 with the same free-text template, 5 for accounts with many dependents/,
    );
    expect(html).toContain('the same free-text template (names changed), 5 requests for 5 different accounts');
    for (const target of TARGETS.slice(1)) expect(html).toContain(`href="/dashboard/tickets/${refs.get(target)!.reference}"`);
    expect(html).not.toContain(`href="/dashboard/tickets/${refs.get(TARGETS[0])!.reference}"`);
    for (const username of ORDINARY) expect(html).not.toContain(refs.get(username)!.reference);

    const ordinaryPage = (await ann.get(`/dashboard/tickets/${refs.get(ORDINARY[0])!.reference}`).expect(200)).text;
    expect(ordinaryPage).not.toContain('campaign-clusters');

    const queue = (await ann.get('/dashboard?risk=coordinated_requests').expect(200)).text;
    for (const target of TARGETS) expect(queue).toContain(refs.get(target)!.reference);
    for (const username of ORDINARY) expect(queue).not.toContain(refs.get(username)!.reference);
  });

  it('tells the requester nothing of it: the status page names no cluster, flag or other reference', async () => {
    for (const target of TARGETS) {
      const page = (
        await request(t.server)
          .get(`/status/${refs.get(target)!.token}`)
          .expect(200)
      ).text.toLowerCase();
      for (const word of ['coordinated', 'cluster', 'campaign', 'mailbox-fresh', 'many dependents', 'risk']) expect(page).not.toContain(word);
      for (const other of TARGETS.filter((o) => o !== target)) expect(page).not.toContain(refs.get(other)!.reference.toLowerCase());
    }
  });
});
