import { parseReportRange, rangeQuery } from './report-range.js';

const NOW = new Date('2026-11-25T23:30:00Z');

describe('parseReportRange', () => {
  it('defaults to the last 30 days, today included, in the default zone', () => {
    const parsed = parseReportRange({}, NOW, 'UTC');
    expect(parsed).toMatchObject({ ok: true, range: { from: '2026-10-27', to: '2026-11-25', type: 'all', timeZone: 'UTC' } });
    if (parsed.ok) expect(parsed.range.days).toHaveLength(30);
  });

  it('takes today in the asked zone: 23:30 UTC is already the 26th in Berlin', () => {
    expect(parseReportRange({ tz: 'Europe/Berlin' }, NOW, 'UTC')).toMatchObject({ ok: true, range: { to: '2026-11-26' } });
  });

  it('turns local days into UTC instants, across a DST switch (a 23-hour day)', () => {
    const parsed = parseReportRange({ from: '2026-03-29', to: '2026-03-29', tz: 'Europe/Berlin' }, NOW, 'UTC');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.range.start.toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(parsed.range.end.toISOString()).toBe('2026-03-29T22:00:00.000Z');
    expect(parsed.range.days).toEqual(['2026-03-29']);
  });

  it('gives 30 days from `from` (never past today) when only from is given', () => {
    expect(parseReportRange({ from: '2026-01-01' }, NOW, 'UTC')).toMatchObject({ ok: true, range: { from: '2026-01-01', to: '2026-01-30' } });
    expect(parseReportRange({ from: '2026-11-20' }, NOW, 'UTC')).toMatchObject({ ok: true, range: { from: '2026-11-20', to: '2026-11-25' } });
  });

  it.each([
    [{ tz: 'Mars/Olympus' }, 'tz'],
    [{ tz: ['UTC', 'UTC'] }, 'tz'],
    [{ type: 'everything' }, 'type'],
    [{ type: ['all', 'lost_2fa'] }, 'type'],
    [{ from: '2026-02-30' }, 'from'],
    [{ to: '25.11.2026' }, 'to'],
    [{ from: '2026-03-02', to: '2026-03-01' }, 'from'],
    [{ from: '2025-01-01', to: '2026-02-05' }, 'from'],
  ])('names the bad parameter in %j', (query, parameter) => {
    expect(parseReportRange(query, NOW, 'UTC')).toMatchObject({ ok: false, parameter });
  });

  it('accepts 400 days and writes the range back as a query', () => {
    const parsed = parseReportRange({ from: '2025-10-22', to: '2026-11-25', type: 'lost_2fa' }, NOW, 'UTC');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.range.days).toHaveLength(400);
    expect(rangeQuery(parsed.range)).toBe('?from=2025-10-22&to=2026-11-25&type=lost_2fa&tz=UTC');
  });
});
