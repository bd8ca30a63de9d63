import { auditQuery, auditTimeRange, parseAuditFilters, utcDayStart } from './audit-filters.js';

describe('audit page filters', () => {
  it('reads no filters as the whole log, newest first, without the chain check', () => {
    expect(parseAuditFilters(undefined)).toEqual({ ok: true, filters: { verify: false } });
    expect(parseAuditFilters({ actor: '', action: '  ', unknown: 'x' })).toEqual({ ok: true, filters: { verify: false } });
  });

  it('reads every filter', () => {
    expect(
      parseAuditFilters({
        actor: 'Moderator:Ann',
        action: 'signed_in',
        ticket: 'rd-7kq2mx',
        from: '2026-11-01',
        to: '2026-11-30',
        before: '120',
        verify: '1',
      }),
    ).toEqual({
      ok: true,
      filters: { actor: 'moderator:ann', action: 'signed_in', ticket: 'RD-7KQ2MX', from: '2026-11-01', to: '2026-11-30', before: 120, verify: true },
    });
    expect(parseAuditFilters({ from: '2026-11-05', to: '2026-11-05' })).toMatchObject({ ok: true, filters: { from: '2026-11-05', to: '2026-11-05' } });
  });

  it.each([
    [{ actor: 'moderator:<script>' }, 'actor'],
    [{ actor: 'x'.repeat(61) }, 'actor'],
    [{ action: 'Signed In' }, 'action'],
    [{ action: ['signed_in', 'signed_out'] }, 'action'],
    [{ ticket: 'RD-12' }, 'ticket'],
    [{ ticket: "RD-ABC123' OR 1=1" }, 'ticket'],
    [{ from: '2026-02-30' }, 'from'],
    [{ from: '01/11/2026' }, 'from'],
    [{ to: '2026-13-01' }, 'to'],
    [{ from: '2026-11-02', to: '2026-11-01' }, 'to'],
    [{ before: '0' }, 'before'],
    [{ before: '-5' }, 'before'],
    [{ before: '1e3' }, 'before'],
    [{ verify: 'yes' }, 'verify'],
  ])('refuses %j, naming %s', (query, parameter) => {
    const parsed = parseAuditFilters(query);
    expect(parsed).toMatchObject({ ok: false, parameter });
    expect(!parsed.ok && parsed.message).toMatch(new RegExp(`^${parameter} `));
  });

  it('reads dates as whole UTC days, the last one included', () => {
    expect(utcDayStart('2028-02-29')).toEqual(new Date('2028-02-29T00:00:00.000Z'));
    expect(utcDayStart('2026-02-29')).toBeNull();
    expect(auditTimeRange({ from: '2026-11-01', to: '2026-11-30' })).toEqual({
      from: new Date('2026-11-01T00:00:00.000Z'),
      until: new Date('2026-12-01T00:00:00.000Z'),
    });
    expect(auditTimeRange({})).toEqual({ from: undefined, until: undefined });
  });

  it('links to the same list, with a cursor or the chain check', () => {
    const filters = { actor: 'moderator:ann', ticket: 'RD-7KQ2MX', from: '2026-11-01', verify: true, before: 9 };
    expect(auditQuery(filters)).toBe('?actor=moderator%3Aann&ticket=RD-7KQ2MX&from=2026-11-01');
    expect(auditQuery(filters, { before: 51 })).toBe('?actor=moderator%3Aann&ticket=RD-7KQ2MX&from=2026-11-01&before=51');
    expect(auditQuery({ verify: false }, { verify: true })).toBe('?verify=1');
    expect(auditQuery({ verify: false })).toBe('');
  });
});
