// What configuration decides about a ticket's life, assembled once at boot: the SLA targets of each
// request type (from SLA_POLICY_FILE), the lease, the reset link's lifetime, where breaches are told.
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../config/app-config.js';
import { parseSlaPolicy, type SlaPolicy, SlaPolicyError } from '../sla/sla-policy.js';
import type { WorkflowPolicy } from './ticket-workflow.js';
import { REQUEST_TYPES, type RequestType } from './ticket.types.js';

export const WORKFLOW_POLICY = Symbol('WORKFLOW_POLICY');
export const SLA_POLICY = Symbol('SLA_POLICY');

/** Reads and validates a policy file; an unreadable file or invalid JSON is reported like any other problem. */
export function loadSlaPolicyFile(path: string): SlaPolicy<RequestType> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SlaPolicyError([`${path}: cannot be read: ${(error as Error).message}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SlaPolicyError([`${path}: not valid JSON: ${(error as Error).message}`]);
  }
  return parseSlaPolicy(json, path, REQUEST_TYPES);
}

export function workflowPolicy(config: AppConfig, sla: SlaPolicy<RequestType>): WorkflowPolicy {
  return {
    targetsFor: (type) => sla.targetsFor(type),
    leaseMs: config.review.leaseMs,
    fastLane: config.review.fastLane,
    publicBaseUrl: config.publicBaseUrl,
    resetLinkTtlMs: config.resets.resetLinkTtlMs,
    opsEmail: config.ops.email,
    slaWebhook: config.sla.webhookUrl !== null,
  };
}
