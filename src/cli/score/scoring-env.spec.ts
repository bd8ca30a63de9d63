import { ConfigError } from '../../config/app-config.js';
import { DEFAULT_SCORING_CONFIG } from '../../scoring/scoring.config.js';
import { scoringConfigFromEnv } from './scoring-env.js';

describe('scoringConfigFromEnv', () => {
  it('is the documented defaults when the environment changes nothing', () => {
    expect(scoringConfigFromEnv({})).toEqual(DEFAULT_SCORING_CONFIG);
  });

  it('takes the expired domains and the high-value threshold as the server does', () => {
    const config = scoringConfigFromEnv({ EXPIRED_DOMAINS: 'Old.Example, gone.example', HIGH_VALUE_MONTHLY_DOWNLOADS: '5000', HIGH_VALUE_ROLES: 'Owner' });
    expect(config.expiredDomains).toEqual(['old.example', 'gone.example']);
    expect(config.highValueMonthlyDownloads).toBe(5000);
    expect(config.highValueRoles).toEqual(['Owner']);
  });

  it('ignores every other variable, so a server setting cannot stop the CLI', () => {
    expect(scoringConfigFromEnv({ PORT: 'eighty', NODE_ENV: 'production', DATABASE_URL: 'mysql://x' })).toEqual(DEFAULT_SCORING_CONFIG);
  });

  it('refuses a bad value with the boot-time message', () => {
    expect(() => scoringConfigFromEnv({ EXPIRED_DOMAINS: 'not a domain' })).toThrow(ConfigError);
    expect(() => scoringConfigFromEnv({ HIGH_VALUE_MONTHLY_DOWNLOADS: 'lots' })).toThrow(/^Invalid environment: HIGH_VALUE_MONTHLY_DOWNLOADS="lots"/);
  });
});
