import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { CalibrationService } from './calibration.service.js';
import { CampaignsService } from './campaigns.service.js';
import { ChallengesService } from './challenges.service.js';
import { DirectorySharesService } from './directory-shares.service.js';
import { EvidenceService } from './evidence.service.js';
import { GITHUB_DEVICE_FLOW, GitHubDeviceFlowClient } from './github-device-flow.client.js';
import { LinkedIdentityChallengesService } from './linked-identity-challenges.service.js';
import { GitLabRepositoryVerifier } from './gitlab-repository-verifier.js';
import { GitHubRepositoryVerifier, REPOSITORY_VERIFIERS, type RepositoryVerifier } from './repository-verifier.js';
import { scoringConfigProvider, SCORING_CONFIG } from './scoring-config.provider.js';
import { OIDC_TOKEN_VERIFIER, OidcTokenVerifier } from './oidc-token-verifier.js';
import { TrustedPublisherService } from './trusted-publisher.service.js';

/** Assessments (the pure scorer run on a ticket and stored), proof-of-control challenges, and the calibration of P(owner). */
@Module({
  imports: [DirectoryModule, JobsModule, NotificationsModule, TicketsModule],
  providers: [
    scoringConfigProvider,
    {
      provide: REPOSITORY_VERIFIERS,
      inject: [APP_CONFIG],
      // More forges plug in here; repositories elsewhere are checked by a moderator by hand.
      useFactory: (config: AppConfig): RepositoryVerifier[] => [
        new GitHubRepositoryVerifier(config.evidence.githubApiUrl, config.evidence.githubToken),
        new GitLabRepositoryVerifier(config.evidence.gitlabApiUrl, config.evidence.gitlabHost, config.evidence.gitlabToken),
      ],
    },
    {
      provide: GITHUB_DEVICE_FLOW,
      inject: [APP_CONFIG],
      // No OAuth app configured: the linked-identity check is offered to nobody.
      useFactory: ({ evidence }: AppConfig): GitHubDeviceFlowClient | null =>
        evidence.githubOauthClientId ? new GitHubDeviceFlowClient(evidence.githubOauthUrl, evidence.githubApiUrl, evidence.githubOauthClientId) : null,
    },
    CalibrationService,
    CampaignsService,
    {
      provide: OIDC_TOKEN_VERIFIER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new OidcTokenVerifier(config.trustedPublishers.issuer, config.trustedPublishers.jwksUrl),
    },
    ChallengesService,
    DirectorySharesService,
    EvidenceService,
    TrustedPublisherService,
    LinkedIdentityChallengesService,
  ],
  exports: [
    CalibrationService,
    CampaignsService,
    ChallengesService,
    DirectorySharesService,
    EvidenceService,
    LinkedIdentityChallengesService,
    TrustedPublisherService,
    SCORING_CONFIG,
  ],
})
export class EvidenceModule {}
