/** The scoring configuration the server would use, read from the environment without booting it. */
import { loadConfig } from '../../config/app-config.js';
import { scoringConfigFrom } from '../../evidence/scoring-config.provider.js';
import type { ScoringConfig } from '../../scoring/scoring.config.js';

/** The variables that change scoring (see `scoringConfigFrom`); the CLI reads no others. */
export const SCORING_ENV_VARIABLES = ['HIGH_VALUE_MONTHLY_DOWNLOADS', 'HIGH_VALUE_ROLES', 'EXPIRED_DOMAINS'] as const;

/**
 * The documented defaults with the environment's overrides, checked as at boot (a bad value throws a
 * ConfigError). Only the scoring variables are passed on: the CLI needs no database, Redis or mail
 * settings, and a placeholder key keeps `loadConfig` from creating one under var/.
 */
export function scoringConfigFromEnv(env: Record<string, string | undefined> = process.env): ScoringConfig {
  const scoring = Object.fromEntries(SCORING_ENV_VARIABLES.map((name) => [name, env[name]]));
  return scoringConfigFrom(loadConfig({ ...scoring, NODE_ENV: 'test', SECRET_KEY: 'score-cli-needs-no-key-'.padEnd(32, '-') }));
}
