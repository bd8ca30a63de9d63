// Every entity of the app, for the data source. Here, at the top, because it names a table of every
// module: the database module below them all takes the list rather than importing them.
import { AuditEntry } from './audit/audit-entry.entity.js';
import { Moderator } from './auth/moderator.entity.js';
import { Passkey } from './auth/passkey.entity.js';
import { StaffRecoveryCode } from './auth/staff-recovery-code.entity.js';
import { Account, AccountEmail, AccountProject } from './directory/account.entity.js';
import { AssessmentRecord } from './evidence/assessment.entity.js';
import { CalibrationRecord } from './evidence/calibration.entity.js';
import { Challenge } from './evidence/challenge.entity.js';
import { CampaignMember, CampaignSignature } from './evidence/campaign.entity.js';
import { GitHubDeviceFlow } from './evidence/github-device-flow.entity.js';
import { Ticket, TicketAccessToken, TicketCycle, TicketEvent, TicketLink } from './tickets/ticket.entity.js';
import { Recovery } from './tickets/recovery.entity.js';
import { OutboxMessage } from './jobs/outbox.entity.js';
import type { DatabaseConfig } from './config/app-config.js';
import { dataSourceOptions } from './database/data-source-options.js';

export const ENTITIES = [
  Account,
  AccountEmail,
  AccountProject,
  Ticket,
  TicketEvent,
  TicketLink,
  TicketAccessToken,
  OutboxMessage,
  AssessmentRecord,
  Challenge,
  AuditEntry,
  Moderator,
  StaffRecoveryCode,
  Recovery,
  TicketCycle,
  Passkey,
  CampaignSignature,
  CampaignMember,
  CalibrationRecord,
  GitHubDeviceFlow,
];

/** The app's data source options: the app, the CLI, the bench and the tests open the same one. */
export const appDataSourceOptions = (db: DatabaseConfig) => dataSourceOptions(db, ENTITIES);
