import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ALWAYS } from '../sla/calendar.js';
import { DEFAULT_SLA_POLICY_JSON, SlaPolicyError } from '../sla/sla-policy.js';
import { loadSlaPolicyFile } from './workflow-policy.provider.js';

const H = 3_600_000;
const D = 24 * H;
const SHIPPED = resolve(process.cwd(), 'config/sla-policy.json');

describe('the shipped policy', () => {
  it('is the documented default, and valid', () => {
    expect(JSON.parse(readFileSync(SHIPPED, 'utf8'))).toEqual(DEFAULT_SLA_POLICY_JSON);
    expect(() => loadSlaPolicyFile(SHIPPED)).not.toThrow();
  });

  it('gives 72h / 14d / 75% / 24×7 to an unlisted type and tighter targets to compromised accounts', () => {
    const policy = loadSlaPolicyFile(SHIPPED);
    expect(policy.targetsFor('forgot_password')).toEqual({ firstResponseMs: 72 * H, decisionMs: 14 * D, warnAt: 0.75, calendar: ALWAYS });
    expect(policy.targetsFor('compromised')).toMatchObject({ firstResponseMs: 24 * H, decisionMs: 7 * D, warnAt: 0.75 });
    expect(policy.describe()).toEqual({
      forgot_password: { firstResponse: '72h', decision: '14d', warnAt: 0.75, calendar: '24x7' },
      lost_2fa: { firstResponse: '72h', decision: '14d', warnAt: 0.75, calendar: '24x7' },
      lost_recovery_codes: { firstResponse: '72h', decision: '14d', warnAt: 0.75, calendar: '24x7' },
      lost_email_access: { firstResponse: '72h', decision: '14d', warnAt: 0.75, calendar: '24x7' },
      compromised: { firstResponse: '24h', decision: '7d', warnAt: 0.75, calendar: '24x7' },
    });
  });
});

describe('loadSlaPolicyFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sla-policy-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names a missing file', () => {
    const path = join(dir, 'missing.json');
    expect(() => loadSlaPolicyFile(path)).toThrow(SlaPolicyError);
    expect(() => loadSlaPolicyFile(path)).toThrow(`${path}: cannot be read`);
  });

  it('names a file that is not JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{ "default": { "decision": "14d", } }');
    expect(() => loadSlaPolicyFile(path)).toThrow(`${path}: not valid JSON`);
  });

  it('names the file in field problems', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ default: { decision: '14 days' } }));
    expect(() => loadSlaPolicyFile(path)).toThrow(`${path}: default.decision: a duration such as 90s, 72h or 14d`);
  });
});
