import type { Provider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DEFAULT_SCORING_CONFIG, type ScoringConfig } from '../scoring/scoring.config.js';

export const SCORING_CONFIG = Symbol('SCORING_CONFIG');

/** The documented defaults, with what the environment may change (the high-value bar and expired domains). */
export function scoringConfigFrom(config: AppConfig): ScoringConfig {
  return {
    ...DEFAULT_SCORING_CONFIG,
    highValueMonthlyDownloads: config.evidence.highValueMonthlyDownloads,
    highValueRoles: config.evidence.highValueRoles,
    expiredDomains: [...DEFAULT_SCORING_CONFIG.expiredDomains, ...config.evidence.expiredDomains],
  };
}

export const scoringConfigProvider: Provider = { provide: SCORING_CONFIG, inject: [APP_CONFIG], useFactory: scoringConfigFrom };
