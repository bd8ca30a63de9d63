import { ALWAYS, businessHours } from './calendar.js';
import { decideSla, pauseSla, reopenSla, respondSla, resumeSla, startSla, type SlaTargets } from './sla-clock.js';
import { measuresBetween } from './sla-measures.js';

const H = 3_600_000;
const D = 24 * H;
const at = (iso: string) => new Date(iso);
const t: SlaTargets = { firstResponseMs: 72 * H, decisionMs: 14 * D, warnAt: 0.75, calendar: ALWAYS };
const T0 = at('2024-03-04T09:00:00Z');

describe('measuresBetween', () => {
  it('measures the first response once, with pauses before it excluded', () => {
    const paused = pauseSla(startSla(T0, t), at('2024-03-04T10:00:00Z'), t);
    const resumed = resumeSla(paused, at('2024-03-06T10:00:00Z'), t);
    const responded = respondSla(resumed, at('2024-03-07T09:00:00Z'), t);
    // 72 h elapsed, 48 h of them paused.
    expect(measuresBetween(resumed, responded, t)).toEqual({ slaResponseMs: 24 * H, slaResponseMet: true });
    expect(measuresBetween(responded, respondSla(responded, at('2024-03-08T09:00:00Z'), t), t)).toEqual({});
  });

  it('says a response after the target missed it, and one exactly at it met it', () => {
    const start = startSla(T0, t);
    expect(measuresBetween(start, respondSla(start, new Date(T0.getTime() + 72 * H), t), t)).toEqual({ slaResponseMs: 72 * H, slaResponseMet: true });
    expect(measuresBetween(start, respondSla(start, new Date(T0.getTime() + 72 * H + 1), t), t)).toEqual({ slaResponseMs: 72 * H + 1, slaResponseMet: false });
  });

  it('measures the decision when the cycle is decided, an open pause included up to the decision', () => {
    const responded = respondSla(startSla(T0, t), at('2024-03-04T12:00:00Z'), t);
    const paused = pauseSla(responded, at('2024-03-05T09:00:00Z'), t);
    const decided = decideSla(paused, at('2024-03-20T09:00:00Z'), t);
    expect(measuresBetween(paused, decided, t)).toEqual({ slaDecisionMs: D, slaDecisionMet: true });
  });

  it('clears the decision on reopen and does not count the filled-in response as one', () => {
    const decided = decideSla(startSla(T0, t), at('2024-03-30T09:00:00Z'), t);
    expect(measuresBetween(startSla(T0, t), decided, t)).toEqual({ slaDecisionMs: 26 * D, slaDecisionMet: false });
    const reopened = reopenSla(decided, at('2024-04-02T09:00:00Z'), t);
    expect(reopened.firstRespondedAt).not.toBeNull();
    expect(measuresBetween(decided, reopened, t)).toEqual({ slaDecisionMs: null, slaDecisionMet: null });
  });

  it('counts working time only, on a business-hours calendar', () => {
    const office = businessHours({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin', holidays: [] });
    const bt: SlaTargets = { firstResponseMs: 16 * H, decisionMs: 40 * H, warnAt: 0.75, calendar: office };
    // Friday 16:00 Berlin (15:00 UTC) to Monday 10:00 Berlin: 1 h on Friday, 1 h on Monday.
    const start = startSla(at('2024-03-08T15:00:00Z'), bt);
    expect(measuresBetween(start, respondSla(start, at('2024-03-11T09:00:00Z'), bt), bt)).toEqual({ slaResponseMs: 2 * H, slaResponseMet: true });
  });

  it('measures nothing for a clock that is only started', () => {
    expect(measuresBetween(null, startSla(T0, t), t)).toEqual({});
  });
});
