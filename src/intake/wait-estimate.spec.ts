import { estimateWait } from './wait-estimate.js';

describe('estimateWait', () => {
  it('is unknown while nothing was decided recently', () => {
    expect(estimateWait(5, 0, 30)).toEqual({ days: null, text: expect.stringContaining('unknown') });
  });

  it('divides the place in the queue by the recent decision rate', () => {
    // 60 decisions in 30 days = 2 a day; 10 ahead → 5 days.
    expect(estimateWait(10, 60, 30)).toEqual({ days: 5, text: 'about 5 days' });
  });

  it('rounds up and never says less than a day for a queued ticket', () => {
    expect(estimateWait(1, 300, 30).days).toBe(1);
    expect(estimateWait(3, 2, 30).days).toBe(45);
  });

  it('speaks in weeks and months for long waits', () => {
    expect(estimateWait(21, 30, 30).text).toBe('about 3 weeks');
    expect(estimateWait(400, 30, 30).text).toBe('about 13 months');
  });

  it('says the ticket is being handled when it is no longer queued', () => {
    expect(estimateWait(0, 10, 30).text).toBe('being handled now');
  });
});
