// Which lane an assessment job takes on the review queue. Pure: the relay asks it when it publishes an
// assessment request (src/review-queue/assessment-lanes.service.ts).
import type { AssessmentTrigger } from './ticket.types.js';

/**
 * The BullMQ priority of the rivals' lane. BullMQ takes a job without a priority before any job with
 * one, so every assessment in the default lane (tickets without rivals) runs before this lane's backlog,
 * and the lane itself stays first in, first out.
 */
export const RIVAL_LANE_PRIORITY = 10;

/**
 * The priority of one assessment job, or undefined for the default lane. A ticket with open rivals
 * (many requests for one account: an attack, a wave of duplicates) is assessed in the rivals' lane,
 * whatever asked for it, and so is the re-assessment that a new rival causes: a storm of requests for
 * one account must not hold back the first assessment of anyone else's ticket (docs/security.md #31).
 */
export function assessmentPriority(trigger: AssessmentTrigger, competing: boolean): number | undefined {
  return competing || trigger === 'competing_request' ? RIVAL_LANE_PRIORITY : undefined;
}
