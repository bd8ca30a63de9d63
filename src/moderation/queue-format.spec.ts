import { decodeCursor, encodeCursor, formatAge, formatTimeLeft, holderName, parseFilters, queueQuery, riskFlagList, slaBadge } from './queue-format.js';

const H = 3_600_000;
const D = 24 * H;

describe('queue page formatting', () => {
  it('formats ages', () => {
    expect(formatAge(3 * D + 4 * H + 59_000)).toBe('3 d 4 h');
    expect(formatAge(4 * H + 5 * 60_000)).toBe('4 h 5 min');
    expect(formatAge(5 * 60_000 + 10)).toBe('5 min');
    expect(formatAge(-5)).toBe('0 min');
  });

  it('formats time left and over', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    expect(formatTimeLeft(new Date(now.getTime() + 2 * D + 3 * H), now)).toBe('2 d left');
    expect(formatTimeLeft(new Date(now.getTime() - 5 * H - 60_000), now)).toBe('5 h over');
    expect(formatTimeLeft(new Date(now.getTime() + 12 * 60_000), now)).toBe('12 min left');
  });

  it('badges the running deadline: first response until responded, then the decision', () => {
    const now = new Date('2026-01-10T00:00:00Z');
    const responseDueAt = new Date(now.getTime() + 5 * H);
    const decisionDueAt = new Date(now.getTime() + 2 * D);
    expect(slaBadge({ slaLevel: 'on_time', firstRespondedAt: null, responseDueAt, decisionDueAt }, now)).toEqual({
      level: 'on_time',
      label: 'on time',
      timeLeft: '5 h left',
      deadline: 'response',
    });
    expect(slaBadge({ slaLevel: 'breached', firstRespondedAt: now, responseDueAt, decisionDueAt: new Date(now.getTime() - 5 * H) }, now)).toEqual({
      level: 'breached',
      label: 'breached',
      timeLeft: '5 h over',
      deadline: 'decision',
    });
    expect(slaBadge({ slaLevel: 'on_time', firstRespondedAt: null, responseDueAt: null, decisionDueAt: null }, now).timeLeft).toBeNull();
  });

  it('reads holders and flags', () => {
    expect(holderName('moderator:ann')).toBe('ann');
    expect(holderName(null)).toBeNull();
    expect(riskFlagList(' new_address high_value ')).toEqual(['new_address', 'high_value']);
    expect(riskFlagList(null)).toEqual([]);
  });
});

describe('queue filters', () => {
  it('accepts good values and defaults to oldest first', () => {
    expect(parseFilters({})).toEqual({ ok: true, filters: { sort: 'oldest' } });
    expect(parseFilters({ state: 'awaiting_review', sla: 'warning', risk: 'high_value', type: 'lost_2fa', holder: 'none', sort: 'sla', empty: '1' })).toEqual({
      ok: true,
      filters: { state: 'awaiting_review', sla: 'warning', risk: 'high_value', type: 'lost_2fa', holder: 'none', sort: 'sla' },
    });
  });

  it.each([
    ['state', 'denied'],
    ['state', 'nope'],
    ['sla', 'late'],
    ['risk', "x' OR 1=1"],
    ['type', 'lost_keys'],
    ['holder', 'Ann Smith'],
    ['sort', 'random'],
    ['after', 'not!base64'],
    ['after', encodeCursor({ sort: 'newest', createdAt: new Date(), id: 'abc' })],
  ])('names a bad %s (%s)', (parameter, value) => {
    expect(parseFilters({ [parameter]: value })).toMatchObject({ ok: false, parameter });
  });

  it('refuses a repeated parameter', () => {
    expect(parseFilters({ state: ['submitted', 'in_review'] })).toMatchObject({ ok: false, parameter: 'state' });
  });

  it('round-trips cursors for each sort and rejects tampered ones', () => {
    const createdAt = new Date('2026-01-02T03:04:05.678Z');
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    for (const sort of ['oldest', 'newest'] as const) expect(decodeCursor(encodeCursor({ sort, createdAt, id }), sort)).toEqual({ sort, createdAt, id });
    expect(decodeCursor(encodeCursor({ sort: 'sla', rank: 1, createdAt, id }), 'sla')).toEqual({ sort: 'sla', rank: 1, createdAt, id });
    expect(decodeCursor(encodeCursor({ sort: 'sla', rank: 7, createdAt, id }), 'sla')).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(['oldest', 'yesterday', id])).toString('base64url'), 'oldest')).toBeNull();
    expect(decodeCursor(Buffer.from('{').toString('base64url'), 'oldest')).toBeNull();
  });

  it('builds links that keep the filters', () => {
    expect(queueQuery({ sort: 'oldest' })).toBe('');
    expect(queueQuery({ sort: 'sla', risk: 'high_value', holder: 'none' }, 'abc')).toBe('?risk=high_value&holder=none&sort=sla&after=abc');
  });
});
