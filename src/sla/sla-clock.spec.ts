import { ALWAYS, businessHours } from './calendar.js';
import {
  applyMarks,
  decideSla,
  dueMarks,
  elapsedWorking,
  instantAfterWorking,
  pauseSla,
  reopenSla,
  respondSla,
  resumeSla,
  startSla,
  timeLeft,
  worstLevel,
} from './sla-clock.js';
import type { SlaState, SlaTargets } from './sla-clock.js';

const H = 3_600_000;
const D = 24 * H;
const at = (iso: string) => new Date(iso);
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

const ROUND_THE_CLOCK: SlaTargets = { firstResponseMs: 72 * H, decisionMs: 14 * D, warnAt: 0.75, calendar: ALWAYS };
const T0 = at('2024-03-04T09:00:00Z');

/** The four deadlines and nextAt, for compact assertions. */
const instants = (s: SlaState) => ({
  responseWarnAt: s.responseWarnAt,
  responseDueAt: s.responseDueAt,
  decisionWarnAt: s.decisionWarnAt,
  decisionDueAt: s.decisionDueAt,
  nextAt: s.nextAt,
});

describe('SLA clock, 24×7', () => {
  const t = ROUND_THE_CLOCK;

  it('starts with deadlines at +72h and +14d, warnings at 75%', () => {
    const s = startSla(T0, t);
    expect(s).toMatchObject({ cycle: 1, cycleStartedAt: T0, responseLevel: 'on_time', decisionLevel: 'on_time' });
    expect(instants(s)).toEqual({
      responseWarnAt: plus(T0, 54 * H),
      responseDueAt: plus(T0, 72 * H),
      decisionWarnAt: plus(T0, 252 * H),
      decisionDueAt: plus(T0, 14 * D),
      nextAt: plus(T0, 54 * H),
    });
  });

  it('pushes both deadlines back by a 10-hour pause, and has none while paused', () => {
    const paused = pauseSla(startSla(T0, t), plus(T0, 5 * H), t);
    expect(paused.pausedSince).toEqual(plus(T0, 5 * H));
    expect(instants(paused)).toEqual({
      responseWarnAt: null,
      responseDueAt: null,
      decisionWarnAt: null,
      decisionDueAt: null,
      nextAt: null,
    });

    const resumed = resumeSla(paused, plus(T0, 15 * H), t);
    expect(resumed.pausedSince).toBeNull();
    expect(resumed.pauses).toEqual([{ from: plus(T0, 5 * H), to: plus(T0, 15 * H) }]);
    expect(resumed.responseDueAt).toEqual(plus(T0, 82 * H));
    expect(resumed.responseWarnAt).toEqual(plus(T0, 64 * H));
    expect(resumed.decisionDueAt).toEqual(plus(T0, 14 * D + 10 * H));
    expect(resumed.nextAt).toEqual(plus(T0, 64 * H));
  });

  it('treats resume without a pause, and pause while paused or decided, as no-ops', () => {
    const s = startSla(T0, t);
    expect(resumeSla(s, plus(T0, H), t)).toBe(s);
    const paused = pauseSla(s, plus(T0, H), t);
    expect(pauseSla(paused, plus(T0, 2 * H), t)).toBe(paused);
    const decided = decideSla(s, plus(T0, H), t);
    expect(pauseSla(decided, plus(T0, 2 * H), t)).toBe(decided);
  });

  it('does not move a deadline that passed before the pause', () => {
    const s = applyMarks(startSla(T0, t), [{ clock: 'response', level: 'breached' }], t);
    const after = resumeSla(pauseSla(s, plus(T0, 80 * H), t), plus(T0, 100 * H), t);
    expect(after.responseDueAt).toEqual(plus(T0, 72 * H));
    expect(after.decisionDueAt).toEqual(plus(T0, 14 * D + 20 * H));
  });

  describe('dueMarks and applyMarks', () => {
    const s = startSla(T0, t);

    it.each<[string, number, ReturnType<typeof dueMarks>]>([
      ['before any warning', 54 * H - 1, []],
      ['at the response warning', 54 * H, [{ clock: 'response', level: 'warning' }]],
      ['at the response deadline (the breach only)', 72 * H, [{ clock: 'response', level: 'breached' }]],
      [
        'at the decision warning',
        252 * H,
        [
          { clock: 'response', level: 'breached' },
          { clock: 'decision', level: 'warning' },
        ],
      ],
      [
        'after both deadlines',
        15 * D,
        [
          { clock: 'response', level: 'breached' },
          { clock: 'decision', level: 'breached' },
        ],
      ],
    ])('%s', (_name, offset, expected) => {
      expect(dueMarks(s, plus(T0, offset))).toEqual(expected);
    });

    it('records marks idempotently, after which nothing is due and nextAt moves on', () => {
      const now = plus(T0, 60 * H);
      const marks = dueMarks(s, now);
      const once = applyMarks(s, marks, t);
      expect(once.responseLevel).toBe('warning');
      expect(applyMarks(once, marks, t)).toEqual(once);
      expect(dueMarks(once, now)).toEqual([]);
      expect(once.nextAt).toEqual(plus(T0, 72 * H));
    });

    it('never lowers a level', () => {
      const breached = applyMarks(s, [{ clock: 'decision', level: 'breached' }], t);
      const after = applyMarks(breached, [{ clock: 'decision', level: 'warning' }], t);
      expect(after.decisionLevel).toBe('breached');
      expect(after.nextAt).toEqual(plus(T0, 54 * H));
    });

    it('keeps a breach when a pause pushes the deadline back', () => {
      const breached = applyMarks(s, dueMarks(s, plus(T0, 73 * H)), t);
      const resumed = resumeSla(pauseSla(breached, plus(T0, 70 * H), t), plus(T0, 90 * H), t);
      expect(resumed.responseLevel).toBe('breached');
      expect(worstLevel(resumed)).toBe('breached');
    });

    it('marks nothing while paused', () => {
      expect(dueMarks(pauseSla(s, plus(T0, H), t), plus(T0, 100 * H))).toEqual([]);
    });
  });

  it('stops the response clock for good at the first response', () => {
    const responded = respondSla(startSla(T0, t), plus(T0, 10 * H), t);
    expect(responded.firstRespondedAt).toEqual(plus(T0, 10 * H));
    expect(responded.responseWarnAt).toBeNull();
    expect(responded.responseDueAt).toBeNull();
    expect(responded.nextAt).toEqual(plus(T0, 252 * H));
    expect(respondSla(responded, plus(T0, 20 * H), t)).toBe(responded);
    expect(timeLeft(responded, 'response', plus(T0, 20 * H), t)).toBeNull();
    expect(elapsedWorking(responded, plus(T0, 20 * H), t, 'response')).toBe(10 * H);
  });

  it('clears everything on decision and closes an open pause', () => {
    const paused = pauseSla(startSla(T0, t), plus(T0, 5 * H), t);
    const decided = decideSla(paused, plus(T0, 8 * H), t);
    expect(decided.decidedAt).toEqual(plus(T0, 8 * H));
    expect(decided.pausedSince).toBeNull();
    expect(decided.pauses).toEqual([{ from: plus(T0, 5 * H), to: plus(T0, 8 * H) }]);
    expect(instants(decided)).toEqual({
      responseWarnAt: null,
      responseDueAt: null,
      decisionWarnAt: null,
      decisionDueAt: null,
      nextAt: null,
    });
    expect(dueMarks(decided, plus(T0, 30 * D))).toEqual([]);
    expect(worstLevel(decided)).toBe('on_time');
    expect(timeLeft(decided, 'decision', plus(T0, 9 * H), t)).toBeNull();
    expect(decideSla(decided, plus(T0, 9 * H), t)).toBe(decided);
  });

  describe('reopen', () => {
    it('starts a new cycle for the decision clock and keeps the first response', () => {
      let s = startSla(T0, t);
      s = respondSla(s, plus(T0, 2 * H), t);
      s = applyMarks(s, [{ clock: 'decision', level: 'breached' }], t);
      s = resumeSla(pauseSla(s, plus(T0, 3 * H), t), plus(T0, 4 * H), t);
      s = decideSla(s, plus(T0, 20 * D), t);
      const reopenedAt = plus(T0, 30 * D);
      const r = reopenSla(s, reopenedAt, t);
      expect(r).toMatchObject({
        cycle: 2,
        cycleStartedAt: reopenedAt,
        firstRespondedAt: plus(T0, 2 * H),
        decidedAt: null,
        pausedSince: null,
        pauses: [],
        decisionLevel: 'on_time',
        responseWarnAt: null,
        responseDueAt: null,
        decisionWarnAt: plus(reopenedAt, 252 * H),
        decisionDueAt: plus(reopenedAt, 14 * D),
        nextAt: plus(reopenedAt, 252 * H),
      });
    });

    it('counts a reopen as the first response when there was none', () => {
      const closed = decideSla(startSla(T0, t), plus(T0, H), t);
      const reopenedAt = plus(T0, 10 * D);
      const r = reopenSla(closed, reopenedAt, t);
      expect(r.firstRespondedAt).toEqual(reopenedAt);
      expect(r.responseDueAt).toBeNull();
      expect(timeLeft(r, 'response', plus(reopenedAt, 100 * H), t)).toBeNull();
    });

    it('keeps the record of a breached first response but no longer counts it as running', () => {
      let s = startSla(T0, t);
      s = applyMarks(s, dueMarks(s, plus(T0, 80 * H)), t);
      s = respondSla(s, plus(T0, 80 * H), t);
      s = reopenSla(decideSla(s, plus(T0, 90 * H), t), plus(T0, 100 * H), t);
      expect(s.responseLevel).toBe('breached');
      expect(worstLevel(s)).toBe('on_time');
    });
  });

  describe('timeLeft and elapsedWorking', () => {
    const s = startSla(T0, t);

    it('counts down and goes negative when overdue', () => {
      expect(timeLeft(s, 'response', plus(T0, 70 * H), t)).toBe(2 * H);
      expect(timeLeft(s, 'response', plus(T0, 75 * H), t)).toBe(-3 * H);
      expect(timeLeft(s, 'decision', plus(T0, 75 * H), t)).toBe(14 * D - 75 * H);
    });

    it('freezes while paused and excludes pauses', () => {
      const paused = pauseSla(s, plus(T0, 10 * H), t);
      expect(timeLeft(paused, 'response', plus(T0, 50 * H), t)).toBe(62 * H);
      const resumed = resumeSla(paused, plus(T0, 50 * H), t);
      expect(timeLeft(resumed, 'response', plus(T0, 60 * H), t)).toBe(52 * H);
      expect(elapsedWorking(resumed, plus(T0, 60 * H), t)).toBe(20 * H);
    });

    it('stops counting at the decision', () => {
      const decided = decideSla(s, plus(T0, 30 * H), t);
      expect(elapsedWorking(decided, plus(T0, 90 * H), t)).toBe(30 * H);
    });
  });

  describe('worstLevel', () => {
    it('is the highest level among running clocks', () => {
      const s = startSla(T0, t);
      expect(worstLevel(s)).toBe('on_time');
      const warned = applyMarks(s, [{ clock: 'decision', level: 'warning' }], t);
      expect(worstLevel(warned)).toBe('warning');
      const breached = applyMarks(warned, [{ clock: 'response', level: 'breached' }], t);
      expect(worstLevel(breached)).toBe('breached');
      expect(worstLevel(respondSla(breached, plus(T0, 80 * H), t))).toBe('warning');
    });
  });
});

describe('instantAfterWorking', () => {
  it('skips the working time inside each pause', () => {
    const pauses = [
      { from: plus(T0, 2 * H), to: plus(T0, 3 * H) },
      { from: plus(T0, 5 * H), to: plus(T0, 8 * H) },
    ];
    expect(instantAfterWorking(T0, 2 * H, pauses, ALWAYS)).toEqual(plus(T0, 2 * H));
    expect(instantAfterWorking(T0, 4 * H, pauses, ALWAYS)).toEqual(plus(T0, 5 * H));
    expect(instantAfterWorking(T0, 5 * H, pauses, ALWAYS)).toEqual(plus(T0, 9 * H));
    expect(instantAfterWorking(T0, 0, pauses, ALWAYS)).toEqual(T0);
  });
});

describe('SLA clock under business hours', () => {
  const utcOffice = businessHours({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', timeZone: 'UTC', holidays: [] });
  const t: SlaTargets = { firstResponseMs: 16 * H, decisionMs: 40 * H, warnAt: 0.75, calendar: utcOffice };

  it('moves deadlines only by the working time inside a pause', () => {
    // Monday 09:00; due without pauses: Tuesday 17:00. The pause covers 2 h on Monday and 8 h on Tuesday.
    const s = resumeSla(pauseSla(startSla(T0, t), at('2024-03-04T15:00:00Z'), t), at('2024-03-05T18:00:00Z'), t);
    expect(s.responseDueAt).toEqual(at('2024-03-07T11:00:00Z'));
    expect(s.decisionDueAt).toEqual(at('2024-03-12T11:00:00Z'));
    expect(elapsedWorking(s, at('2024-03-06T10:00:00Z'), t)).toBe(7 * H);
    expect(timeLeft(s, 'response', at('2024-03-06T10:00:00Z'), t)).toBe(9 * H);
  });

  describe.each([
    {
      zone: 'America/New_York',
      // Friday 16:00 EST; DST starts on Sunday 2024-03-10, so the week after is in EDT.
      created: '2024-03-08T16:00:00-05:00',
      responseWarnAt: '2024-03-11T14:00:00-04:00',
      responseDueAt: '2024-03-11T16:00:00-04:00',
      decisionDueAt: '2024-03-15T16:00:00-04:00',
      pause: ['2024-03-11T10:00:00-04:00', '2024-03-12T10:00:00-04:00'],
      responseDueAfterPause: '2024-03-12T16:00:00-04:00',
      decisionDueAfterPause: '2024-03-18T16:00:00-04:00',
    },
    {
      zone: 'Asia/Tokyo',
      created: '2024-03-08T16:00:00+09:00',
      responseWarnAt: '2024-03-11T14:00:00+09:00',
      responseDueAt: '2024-03-11T16:00:00+09:00',
      decisionDueAt: '2024-03-15T16:00:00+09:00',
      pause: ['2024-03-11T10:00:00+09:00', '2024-03-12T10:00:00+09:00'],
      responseDueAfterPause: '2024-03-12T16:00:00+09:00',
      decisionDueAfterPause: '2024-03-18T16:00:00+09:00',
    },
  ])('in $zone', (c) => {
    const calendar = businessHours({ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', timeZone: c.zone, holidays: [] });
    const local: SlaTargets = { firstResponseMs: 8 * H, decisionMs: 40 * H, warnAt: 0.75, calendar };

    it('rolls a Friday-afternoon ticket over the weekend', () => {
      const s = startSla(at(c.created), local);
      expect(s.responseWarnAt).toEqual(at(c.responseWarnAt));
      expect(s.responseDueAt).toEqual(at(c.responseDueAt));
      expect(s.decisionDueAt).toEqual(at(c.decisionDueAt));
      expect(s.nextAt).toEqual(at(c.responseWarnAt));
    });

    it('pushes deadlines back by the working hours of a pause', () => {
      const [from, to] = c.pause.map(at);
      const s = resumeSla(pauseSla(startSla(at(c.created), local), from, local), to, local);
      expect(s.responseDueAt).toEqual(at(c.responseDueAfterPause));
      expect(s.decisionDueAt).toEqual(at(c.decisionDueAfterPause));
      expect(timeLeft(s, 'response', to, local)).toBe(6 * H);
    });

    it('marks a breach on the next working day, not over the weekend', () => {
      const s = startSla(at(c.created), local);
      expect(dueMarks(s, plus(at(c.responseWarnAt), -1))).toEqual([]);
      expect(dueMarks(s, at('2024-03-10T12:00:00Z'))).toEqual([]);
      expect(dueMarks(s, at(c.responseDueAt))).toEqual([{ clock: 'response', level: 'breached' }]);
    });
  });
});
