// Every migration, oldest first: the app runs them at start (under a lock on PostgreSQL).
import { Initial1764000000000 } from './1764000000000-initial.js';
import { Evidence1764100000000 } from './1764100000000-evidence.js';
import { ReviewQueue1764200000000 } from './1764200000000-review-queue.js';
import { Audit1764300000000 } from './1764300000000-audit.js';
import { Moderators1764400000000 } from './1764400000000-moderators.js';
import { SignIn1764500000000 } from './1764500000000-sign-in.js';
import { QueuePage1764600000000 } from './1764600000000-queue-page.js';
import { QueuePageIndexes1764650000000 } from './1764650000000-queue-page-indexes.js';
import { Recoveries1764800000000 } from './1764800000000-recoveries.js';
import { Reports1764900000000 } from './1764900000000-reports.js';
import { StaffAdmin1765000000000 } from './1765000000000-staff-admin.js';
import { Passkeys1765100000000 } from './1765100000000-passkeys.js';
import { OverrideGuard1765200000000 } from './1765200000000-override-guard.js';
import { DirectoryShares1765300000000 } from './1765300000000-directory-shares.js';
import { TrustedPublishers1765500000000 } from './1765500000000-trusted-publishers.js';
import { Calibrations1765400000000 } from './1765400000000-calibrations.js';
import { Campaigns1765700000000 } from './1765700000000-campaigns.js';
import { LinkedGithub1765600000000 } from './1765600000000-linked-github.js';

export const MIGRATIONS = [
  Initial1764000000000,
  Evidence1764100000000,
  ReviewQueue1764200000000,
  Audit1764300000000,
  Moderators1764400000000,
  SignIn1764500000000,
  QueuePage1764600000000,
  QueuePageIndexes1764650000000,
  Recoveries1764800000000,
  Reports1764900000000,
  StaffAdmin1765000000000,
  Passkeys1765100000000,
  OverrideGuard1765200000000,
  DirectoryShares1765300000000,
  TrustedPublishers1765500000000,
  Calibrations1765400000000,
  Campaigns1765700000000,
  LinkedGithub1765600000000,
];
