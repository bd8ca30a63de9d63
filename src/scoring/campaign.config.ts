/**
 * Thresholds of the takeover-campaign detector (campaign.ts; docs/evidence.md, "Coordinated requests").
 * Each says what it stands for; none was chosen to make a figure come out. The evaluation
 * (test/fixtures/campaign-traffic.ts) reports what they catch and what they flag wrongly.
 */
export interface CampaignConfig {
  /** Requests this far back from a new one are compared with it (`CAMPAIGN_WINDOW`, 24 h by default). */
  windowMs: number;
  /**
   * At most this many requests of the window are read per new request, for each of the two look-ups
   * (same contact domain; any domain): the cost of a ticket stays bounded under a flood (docs/security.md,
   * "coordinated requests").
   */
  maxWindowRequests: number;
  /** Different accounts asked for with a shared pattern before it counts as a campaign. */
  minAccounts: number;
  /**
   * Fewer suffice for a new or rare contact domain when it is corroborated: at least half of the
   * requests also share the free-text template, or at least half target accounts with many dependents.
   */
  minAccountsCorroborated: number;
  /** A contact domain first seen by the desk within this many days is new. */
  newDomainDays: number;
  /** A contact domain with fewer requests than this before the window is rare. */
  rareDomainMaxPrior: number;
  /**
   * Mail providers shared by millions of unrelated people: a shared domain among them says nothing, so
   * they are never new or rare (a template local part on them still counts). Subdomains match too.
   */
  commonProviders: readonly string[];
  /**
   * A local part is a template when it has a variable slot (the target's username, or digits) and at
   * least this many fixed letters besides: `recover.{u}` is one, `{u}` or `{u}{n}` alone is not.
   */
  minTemplateLetters: number;
  /** Free text shorter than this (in words) is too generic to be a template ("please reset my account"). */
  detailsMinWords: number;
  /**
   * Free text alone forms a cluster only when it is a paragraph copied with only names changed: at least
   * this many words. Shorter stock sentences only corroborate a contact pattern.
   */
  detailsClusterMinWords: number;
  /** Estimated Jaccard similarity of word pairs from which two texts count as one template. */
  detailsSimilarity: number;
  /** A target has many dependents: an owner or maintainer of this many projects or more (or a high-value account). */
  manyProjects: number;
  /** Other references listed per cluster on the ticket page. */
  listedMembers: number;
}

const HOUR_MS = 3_600_000;

export const DEFAULT_CAMPAIGN_CONFIG: CampaignConfig = {
  windowMs: 24 * HOUR_MS,
  maxWindowRequests: 1_000,
  minAccounts: 5,
  minAccountsCorroborated: 3,
  newDomainDays: 7,
  rareDomainMaxPrior: 3,
  commonProviders: [
    'gmail.com',
    'googlemail.com',
    'outlook.com',
    'hotmail.com',
    'live.com',
    'msn.com',
    'yahoo.com',
    'icloud.com',
    'me.com',
    'proton.me',
    'protonmail.com',
    'pm.me',
    'gmx.de',
    'gmx.net',
    'web.de',
    'fastmail.com',
    'aol.com',
    'yandex.ru',
    'mail.ru',
    'qq.com',
    '163.com',
    '126.com',
    'naver.com',
    'zoho.com',
    'tutanota.com',
  ],
  minTemplateLetters: 3,
  detailsMinWords: 8,
  detailsClusterMinWords: 20,
  detailsSimilarity: 0.6,
  manyProjects: 10,
  listedMembers: 50,
};
