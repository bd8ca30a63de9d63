import { pick, seededRandom } from '../common/random.js';

const FIRST = [
  'alice',
  'bob',
  'carol',
  'dmitri',
  'erin',
  'farah',
  'gustavo',
  'hana',
  'ivan',
  'jun',
  'kofi',
  'lena',
  'mateo',
  'nadia',
  'omar',
  'priya',
  'quinn',
  'rosa',
  'sven',
  'tariq',
  'uma',
  'viktor',
  'wen',
  'ximena',
  'yusuf',
  'zoe',
];
const LAST = [
  'smith',
  'garcia',
  'chen',
  'okafor',
  'novak',
  'silva',
  'kim',
  'haddad',
  'nguyen',
  'muller',
  'rossi',
  'tanaka',
  'kowalski',
  'ivanova',
  'mensah',
  'larsen',
  'patel',
  'dubois',
  'costa',
  'ahmed',
];
const WORDS = [
  'async',
  'fast',
  'py',
  'data',
  'json',
  'http',
  'tiny',
  'geo',
  'ml',
  'cli',
  'web',
  'test',
  'graph',
  'parse',
  'stream',
  'crypto',
  'image',
  'audio',
  'config',
  'cache',
  'queue',
  'orm',
  'lint',
  'docs',
  'auth',
];
const SUFFIX = ['kit', 'lib', 'tools', 'utils', 'core', 'io', 'x', 'lite', 'plus', 'ng', 'ify', 'er'];
const MAIL_HOSTS = ['example.org', 'example.com', 'mail.example.net', 'uni.example.edu', 'corp.example.io'];

export interface DirectoryFile {
  accounts: Record<string, unknown>[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * A synthetic account directory in the import format: people with current, public, removed and
 * unverified addresses, projects with skewed downloads, and varied 2FA. The same seed gives the same file.
 */
export function generateDirectory(count: number, seed = 1, now = Date.parse('2026-11-01T00:00:00Z')): DirectoryFile {
  const random = seededRandom(seed);
  const accounts: Record<string, unknown>[] = [];
  const usedNames = new Set<string>();
  const usedProjects = new Set<string>();
  for (let i = 0; accounts.length < count; i++) {
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    let username = i === 0 && seed === 1 ? 'alice' : `${first}${random() < 0.5 ? '-' : ''}${last}${random() < 0.6 ? Math.floor(random() * 1000) : ''}`;
    for (let k = 0; usedNames.has(username); k++) username = `${first}-${last}-${i}${k ? `-${k}` : ''}`;
    usedNames.add(username);
    const joined = now - Math.floor((0.2 + random() * 14) * 365 * 86_400_000);
    const hostA = pick(random, MAIL_HOSTS);
    const emails: Record<string, unknown>[] = [
      {
        address: `${username}@${hostA}`,
        verified: random() < 0.95,
        primary: true,
        public: random() < 0.35,
        added_at: iso(joined),
        removed_at: null,
      },
    ];
    if (random() < 0.4) {
      const addedOld = joined;
      const removed = joined + Math.floor(random() * (now - joined));
      emails.push({
        address: `${first}.${last}${i}@old-${pick(random, MAIL_HOSTS)}`,
        verified: true,
        primary: false,
        public: random() < 0.3,
        added_at: iso(addedOld),
        removed_at: iso(removed),
      });
    }
    if (random() < 0.3) {
      emails.push({
        address: `${first}${i}@${pick(random, MAIL_HOSTS)}`,
        verified: random() < 0.7,
        primary: false,
        public: false,
        added_at: iso(joined + Math.floor(random() * (now - joined))),
        removed_at: null,
      });
    }
    const projects: Record<string, unknown>[] = [];
    const projectCount = random() < 0.15 ? 0 : Math.floor(random() * random() * 8) + 1;
    for (let p = 0; p < projectCount; p++) {
      let name = `${pick(random, WORDS)}${random() < 0.5 ? '-' : ''}${pick(random, SUFFIX)}`;
      for (let k = 0; usedProjects.has(name); k++) name = `${name}-${i}-${p}${k ? `-${k}` : ''}`;
      usedProjects.add(name);
      const downloads = Math.floor(Math.exp(random() * random() * 18));
      projects.push({
        name,
        role: random() < 0.7 ? 'Owner' : 'Maintainer',
        monthly_downloads: downloads,
        first_release_at: iso(joined + Math.floor(random() * (now - joined))),
        ...(random() < 0.8 ? { repository: `https://github.com/${random() < 0.6 ? `${username}-gh` : `${name}-dev`}/${name}` } : {}),
      });
    }
    const totp = random() < 0.55;
    accounts.push({
      username,
      name: `${first[0].toUpperCase()}${first.slice(1)} ${last[0].toUpperCase()}${last.slice(1)}`,
      joined_at: iso(joined),
      last_login_at: random() < 0.9 ? iso(joined + Math.floor(random() * (now - joined))) : null,
      linked_github: random() < 0.6 ? `${username}-gh` : null,
      emails,
      two_factor: {
        totp,
        webauthn_keys: random() < 0.15 ? 1 + Math.floor(random() * 2) : 0,
        recovery_codes_unused: totp && random() < 0.5 ? Math.floor(random() * 9) : 0,
      },
      projects,
    });
  }
  return { accounts };
}
