import { assessmentPriority, RIVAL_LANE_PRIORITY } from './assessment-lane.js';
import type { AssessmentTrigger } from './ticket.types.js';

const TRIGGERS: AssessmentTrigger[] = ['submitted', 'follow_up', 'message', 'challenge', 'competing_request', 'rescore'];

describe('assessmentPriority', () => {
  it('keeps every assessment of a ticket without rivals in the default lane, but the re-assessment a new rival causes', () => {
    for (const trigger of TRIGGERS.filter((t) => t !== 'competing_request')) expect(assessmentPriority(trigger, false)).toBeUndefined();
    expect(assessmentPriority('competing_request', false)).toBe(RIVAL_LANE_PRIORITY);
  });

  it('puts every assessment of a ticket with rivals in the rivals lane, its first one included', () => {
    for (const trigger of TRIGGERS) expect(assessmentPriority(trigger, true)).toBe(RIVAL_LANE_PRIORITY);
  });

  it('gives the rivals lane a real BullMQ priority (1 to 2^21), which BullMQ takes after jobs without one', () => {
    expect(Number.isInteger(RIVAL_LANE_PRIORITY)).toBe(true);
    expect(RIVAL_LANE_PRIORITY).toBeGreaterThanOrEqual(1);
    expect(RIVAL_LANE_PRIORITY).toBeLessThanOrEqual(2 ** 21);
  });
});
