import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { type DirectoryShares, sharesOf } from '../scoring/directory-shares.js';
import { configuredShares, type ScoringConfig } from '../scoring/scoring.config.js';
import { SCORING_CONFIG } from './scoring-config.provider.js';
import { DirectoryService } from '../directory/directory.service.js';

/** How long computed shares are used before they are counted again (the "schedule" of docs/evidence.md). */
export const SHARES_REFRESH_MS = 10 * 60_000;

/**
 * The directory's shares of 2FA and unused recovery codes, which weigh the yes/no answers
 * (scoring/answer-weights.ts). Counted when first asked for, again after an import in this process, and
 * otherwise every SHARES_REFRESH_MS, so an import by the command line reaches every process within ten
 * minutes. The same counts always give the same version, so processes agree on it.
 */
@Injectable()
export class DirectorySharesService {
  private cached: { shares: DirectoryShares; at: number } | null = null;
  private pending: Promise<DirectoryShares> | null = null;

  constructor(
    private readonly directory: DirectoryService,
    private readonly clock: Clock,
    @Inject(SCORING_CONFIG) private readonly scoring: ScoringConfig,
  ) {}

  async current(): Promise<DirectoryShares> {
    const now = this.clock.now().getTime();
    if (this.cached && now - this.cached.at < SHARES_REFRESH_MS) return this.cached.shares;
    return this.refresh();
  }

  /** Counts again now (after an import); concurrent callers share one count. */
  refresh(): Promise<DirectoryShares> {
    this.pending ??= this.directory
      .secondFactorCounts()
      .then((counts) => {
        const shares = sharesOf(counts, configuredShares(this.scoring));
        this.cached = { shares, at: this.clock.now().getTime() };
        return shares;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}
