import { generateDirectory } from '../../src/directory/demo-directory.js';
import { parseDirectoryFile } from '../../src/directory/directory-file.js';
import { DirectoryService } from '../../src/directory/directory.service.js';
import { startSla } from '../../src/sla/sla-clock.js';
import { DEFAULT_SLA_POLICY_JSON, parseSlaPolicy } from '../../src/sla/sla-policy.js';
import { randomUUID } from 'node:crypto';
import { Ticket } from '../../src/tickets/ticket.entity.js';
import { TicketState } from '../../src/tickets/ticket-state.js';
import type { TestApp } from './test-app.js';
import { NO_REPORT_FIGURES, REQUEST_TYPES } from '../../src/tickets/ticket.types.js';
import { slaColumns } from '../../src/tickets/ticket-sla.js';

let counter = 0;

/** A valid intake body; override any field. */
export function makeTicketBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    username: `someone${counter}`,
    contact_email: `someone${counter}@example.org`,
    request_type: 'lost_2fa',
    previous_emails: [],
    projects: [],
    has_2fa: 'unknown',
    has_recovery_codes: 'unknown',
    details: '',
    coc_accepted: true,
    delay_acknowledged: true,
    ...overrides,
  };
}

/** An account record in the directory file format; override any field. */
export function makeAccount(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    username: `account${counter}`,
    name: `Account ${counter}`,
    joined_at: '2016-03-14T10:00:00Z',
    last_login_at: '2026-01-02T08:00:00Z',
    linked_github: null,
    emails: [{ address: `account${counter}@example.org`, verified: true, primary: true, public: false, added_at: '2016-03-14T10:00:00Z', removed_at: null }],
    two_factor: { totp: true, webauthn_keys: 0, recovery_codes_unused: 0 },
    projects: [{ name: `project-${counter}`, role: 'Owner', monthly_downloads: 1000, first_release_at: '2016-04-01T00:00:00Z' }],
    ...overrides,
  };
}

/** Loads accounts into a running test app's directory through the real import service. */
export async function seedDirectory(testApp: TestApp, accounts: Record<string, unknown>[] = generateDirectory(50).accounts): Promise<void> {
  const parsed = parseDirectoryFile(JSON.stringify({ accounts }));
  if (!parsed.ok) throw new Error(`bad seed: ${JSON.stringify(parsed.problems)}`);
  await testApp.app.get(DirectoryService).importAccounts(parsed.accounts, parsed.fingerprints);
}

/** A ticket row written straight to the database (for history the API cannot make: old decisions). */
export function makeStoredTicket(i: number, over: Partial<Ticket> = {}): Ticket {
  const at = over.createdAt ?? new Date();
  return {
    id: randomUUID(),
    reference: `RD-S${String(i).padStart(5, '0')}`.slice(0, 9),
    username: `stored${i}`,
    usernameKey: `stored${i}`,
    accountId: null,
    contactEmail: `stored${i}@example.org`,
    requestType: 'lost_2fa',
    state: TicketState.Completed,
    openKey: null,
    claims: { previousEmails: [], projects: [], joinedApprox: null, has2fa: 'unknown', hasRecoveryCodes: 'unknown', details: '' },
    competing: false,
    cocVersion: '2026-11',
    cocAcceptedAt: at,
    cocMethod: null,
    cocRecordedBy: null,
    coolingOffEndsAt: null,
    delayAcknowledgedAt: at,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    decidedAt: null,
    version: 1,
    ...NO_REPORT_FIGURES,
    score: null,
    band: null,
    recommendation: null,
    riskFlags: null,
    ruleVersion: null,
    assessedAt: null,
    claimedBy: null,
    claimedAt: null,
    leaseExpiresAt: null,
    escalated: false,
    ...slaColumns(startSla(at, DEFAULT_POLICY.targetsFor(over.requestType ?? 'lost_2fa'))),
    ...over,
  };
}

const DEFAULT_POLICY = parseSlaPolicy(DEFAULT_SLA_POLICY_JSON, 'default', REQUEST_TYPES);
