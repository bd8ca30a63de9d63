import {
  decodeSketch,
  detailsWords,
  detectCampaigns,
  domainNovelty,
  encodeSketch,
  hasManyDependents,
  localPartTemplate,
  type RequestSignature,
  signatureOf,
  sketchOf,
  sketchSimilarity,
} from './campaign.js';
import { DEFAULT_CAMPAIGN_CONFIG as CONFIG } from './campaign.config.js';

const NOW = new Date('2026-12-08T12:00:00Z');
const HOUR = 3_600_000;
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * HOUR);
const NEW_DOMAIN = { firstSeenAt: at(3), priorRequests: 0 };
const OLD_DOMAIN = { firstSeenAt: at(24 * 400), priorRequests: 500 };
const PARAGRAPH =
  'Hello team, I am the maintainer of {p} and lost my phone with the authenticator last week while travelling abroad. ' +
  'Please reset the second factor on {u} so that I can publish the security release that users are waiting for.';

let n = 0;
function request(username: string, contact: string, hoursAgo: number, details = 'please help', manyDependents = false): RequestSignature {
  n++;
  return signatureOf(
    {
      ticketId: `t${n}`,
      reference: `RD-${String(n).padStart(6, '0')}`,
      username,
      createdAt: at(hoursAgo),
      contactEmail: contact,
      details: details.replace('{u}', username).replace('{p}', `${username}-tools`),
      projects: [`${username}-tools`],
      manyDependents,
    },
    CONFIG,
  );
}

describe('localPartTemplate', () => {
  it('replaces the username and digit runs, and keeps only templates with fixed letters', () => {
    expect(localPartTemplate('recovery.alice-b@mailbox.example', 'alice-b', CONFIG)).toBe('recovery.{u}');
    expect(localPartTemplate('recovery.aliceb@mailbox.example', 'alice-b', CONFIG)).toBe('recovery.{u}');
    expect(localPartTemplate('maint4821@mailbox.example', 'bob', CONFIG)).toBe('maint{n}');
    expect(localPartTemplate('Maint4821+x@mailbox.example', 'bob', CONFIG)).toBe('maint{n}');
  });

  it('is null for what owners use: the username alone, a name, the username with digits', () => {
    expect(localPartTemplate('alice-b@mail.example', 'alice-b', CONFIG)).toBeNull();
    expect(localPartTemplate('alice.smith@mail.example', 'asmith', CONFIG)).toBeNull();
    expect(localPartTemplate('alice-b1987@mail.example', 'alice-b', CONFIG)).toBeNull();
    expect(localPartTemplate('ab12@mail.example', 'zed', CONFIG)).toBeNull();
  });
});

describe('free-text sketches', () => {
  it('finds a paragraph with only the names changed, and tells different texts apart', () => {
    const a = sketchOf(detailsWords(PARAGRAPH.replace('{p}', 'fastjson').replace('{u}', 'ann'), 'ann', ['fastjson']));
    const b = sketchOf(detailsWords(PARAGRAPH.replace('{p}', 'tinyhttp').replace('{u}', 'bo'), 'bo', ['tinyhttp']));
    const c = sketchOf(detailsWords('I changed jobs and the old company address is gone; my packages are small but I would like them back please.', 'cy', []));
    expect(sketchSimilarity(a, b)).toBe(1);
    expect(sketchSimilarity(a, c)).toBeLessThan(0.2);
  });

  it('round-trips through its text form and refuses a damaged one', () => {
    const sketch = sketchOf(['one', 'two', 'three']);
    expect(decodeSketch(encodeSketch(sketch))).toEqual(sketch);
    expect(decodeSketch('abc')).toBeNull();
    expect(decodeSketch(null)).toBeNull();
  });

  it('keeps no sketch of a short text', () => {
    expect(request('zoe', 'zoe@mail.example', 1, 'please reset my account, it is mine').detailsSketch).toBeNull();
  });
});

describe('domainNovelty', () => {
  it('is new within the week, rare with few earlier requests, and never for a common provider', () => {
    expect(domainNovelty('mailbox.example', NEW_DOMAIN, NOW, CONFIG)).toBe('new');
    expect(domainNovelty('mailbox.example', { firstSeenAt: null, priorRequests: 0 }, NOW, CONFIG)).toBe('new');
    expect(domainNovelty('mailbox.example', { firstSeenAt: at(24 * 30), priorRequests: 2 }, NOW, CONFIG)).toBe('rare');
    expect(domainNovelty('mailbox.example', OLD_DOMAIN, NOW, CONFIG)).toBeNull();
    expect(domainNovelty('gmail.com', NEW_DOMAIN, NOW, CONFIG)).toBeNull();
    expect(domainNovelty('eu.gmail.com', NEW_DOMAIN, NOW, CONFIG)).toBeNull();
  });
});

describe('hasManyDependents', () => {
  const scoring = { highValueMonthlyDownloads: 1_000_000, highValueRoles: ['Owner', 'Maintainer'] };
  const project = (role: 'Owner' | 'Contributor', monthlyDownloads: number) => ({ role, monthlyDownloads }) as never;
  it('is a high-value project held, or many projects held', () => {
    expect(hasManyDependents({ projects: [project('Owner', 2_000_000)] }, scoring, CONFIG)).toBe(true);
    expect(hasManyDependents({ projects: [project('Contributor', 2_000_000)] }, scoring, CONFIG)).toBe(false);
    expect(hasManyDependents({ projects: Array.from({ length: 10 }, () => project('Owner', 10)) }, scoring, CONFIG)).toBe(true);
    expect(hasManyDependents({ projects: Array.from({ length: 9 }, () => project('Owner', 10)) }, scoring, CONFIG)).toBe(false);
    expect(hasManyDependents(null, scoring, CONFIG)).toBe(false);
  });
});

describe('detectCampaigns', () => {
  it('clusters a new domain shared by five accounts, and says what they share', () => {
    const earlier = ['ann', 'bo', 'cy', 'dee'].map((u, i) => request(u, `x${i}${u}@mailbox.example`, 3 - i * 0.5));
    const fifth = request('eve', 'qq9eve@mailbox.example', 0);
    const [cluster, ...rest] = detectCampaigns(fifth, earlier, NEW_DOMAIN, NOW, CONFIG);
    expect(rest).toEqual([]);
    expect(cluster).toMatchObject({ kind: 'contact_domain', key: 'mailbox.example', accounts: 5, requests: 5 });
    expect(cluster.others.map((o) => o.ticketId).sort()).toEqual(earlier.map((e) => e.ticketId).sort());
    expect(cluster.shared).toBe('contact domain mailbox.example, new this week (first seen 3 h ago), 5 requests for 5 different accounts in 3 h');
  });

  it('needs five different accounts: four, or five requests for fewer accounts, are not a campaign', () => {
    const four = ['ann', 'bo', 'cy'].map((u, i) => request(u, `${u}@mailbox.example`, i));
    expect(detectCampaigns(request('dee', 'dee@mailbox.example', 0), four, NEW_DOMAIN, NOW, CONFIG)).toEqual([]);
    const sameAccount = ['ann', 'ann', 'bo', 'bo'].map((u, i) => request(u, `${u}${i}@mailbox.example`, i));
    expect(detectCampaigns(request('cy', 'cy@mailbox.example', 0), sameAccount, NEW_DOMAIN, NOW, CONFIG)).toEqual([]);
  });

  it('leaves an established domain alone, and counts only requests inside the window', () => {
    const earlier = ['ann', 'bo', 'cy', 'dee'].map((u, i) => request(u, `${u}@corp.example`, i));
    expect(detectCampaigns(request('eve', 'eve@corp.example', 0), earlier, OLD_DOMAIN, NOW, CONFIG)).toEqual([]);
    const old = ['ann', 'bo', 'cy', 'dee'].map((u, i) => request(u, `${u}@mailbox.example`, 25 + i));
    expect(detectCampaigns(request('eve', 'eve@mailbox.example', 0), old, NEW_DOMAIN, NOW, CONFIG)).toEqual([]);
  });

  it('needs only three accounts when the text matches too, or the targets have many dependents', () => {
    const text = PARAGRAPH;
    const two = ['ann', 'bo'].map((u, i) => request(u, `${u}@mailbox.example`, i, text));
    const [byText] = detectCampaigns(request('cy', 'cy@mailbox.example', 0, text), two, NEW_DOMAIN, NOW, CONFIG);
    expect(byText).toMatchObject({ kind: 'contact_domain', accounts: 3, sameText: 3 });
    expect(byText.shared).toContain('3 with the same free-text template');
    const big = ['ann', 'bo'].map((u, i) => request(u, `${u}@mailbox.example`, i, 'please help', true));
    const [byTargets] = detectCampaigns(request('cy', 'cy@mailbox.example', 0, 'please help', true), big, NEW_DOMAIN, NOW, CONFIG);
    expect(byTargets.shared).toContain('3 for accounts with many dependents');
    const plain = ['ann', 'bo'].map((u, i) => request(u, `${u}@mailbox.example`, i));
    expect(detectCampaigns(request('cy', 'cy@mailbox.example', 0), plain, NEW_DOMAIN, NOW, CONFIG)).toEqual([]);
  });

  it('clusters a template local part on a common provider, not a shared first name', () => {
    const users = ['anna', 'boris', 'cyril', 'delia'];
    const templated = users.map((u, i) => request(u, `recovery.${u}@gmail.com`, i));
    const [cluster] = detectCampaigns(request('evelyn', 'recovery.evelyn@gmail.com', 0), templated, OLD_DOMAIN, NOW, CONFIG);
    expect(cluster).toMatchObject({ kind: 'local_part_template', key: 'recovery.{u}@gmail.com', accounts: 5 });
    // Owners' own names (a username and a surname; the username alone) make no template shared by five.
    const names = users.map((u, i) => request(u, `${u}.${['smith', 'okafor', 'lind', 'tanaka'][i]}@gmail.com`, i));
    expect(detectCampaigns(request('evelyn', 'evelyn.ruiz@gmail.com', 0), names, OLD_DOMAIN, NOW, CONFIG)).toEqual([]);
    const bare = users.map((u, i) => request(u, `${u}@gmail.com`, i));
    expect(detectCampaigns(request('evelyn', 'evelyn@gmail.com', 0), bare, OLD_DOMAIN, NOW, CONFIG)).toEqual([]);
  });

  it('clusters a copied paragraph across domains, but not a short stock sentence', () => {
    const users = ['ann', 'bo', 'cy', 'dee'];
    const copied = users.map((u, i) => request(u, `${u}@d${i}.example`, i, PARAGRAPH));
    const [cluster] = detectCampaigns(request('eve', 'eve@d9.example', 0, PARAGRAPH), copied, OLD_DOMAIN, NOW, CONFIG);
    expect(cluster).toMatchObject({ kind: 'details_template', key: '', accounts: 5 });
    const stock = 'I am the owner of this account and cannot log in any more.';
    const common = users.map((u, i) => request(u, `${u}@d${i}.example`, i, stock));
    expect(detectCampaigns(request('eve', 'eve@d9.example', 0, stock), common, OLD_DOMAIN, NOW, CONFIG)).toEqual([]);
  });
});
