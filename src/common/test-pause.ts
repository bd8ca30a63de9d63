import type { Logger } from '@nestjs/common';
import type { AppConfig, TestPausePoint } from '../config/app-config.js';

/**
 * The fault suite's hook (docs/operations.md, "Fault suite"): with TEST_PAUSE_BEFORE_COMMIT naming `point`
 * (only ever set under NODE_ENV=test: the configuration refuses it otherwise), the job stops here for good,
 * its writes made and its transaction still open, and says so in the log, so the test can SIGKILL the worker
 * at a known place. Otherwise it returns at once.
 */
export function pauseBeforeCommit(config: AppConfig, point: TestPausePoint, logger: Logger): Promise<void> {
  if (!config.testing.pauseBeforeCommit.includes(point)) return Promise.resolve();
  logger.warn(`test pause: ${point} holds its transaction open until the process is killed (TEST_PAUSE_BEFORE_COMMIT)`);
  return new Promise<void>(() => undefined);
}
