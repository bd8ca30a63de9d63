import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { JobsModule } from '../jobs/jobs.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { TicketsModule } from '../tickets/tickets.module.js';
import { ChallengesService } from './challenges.service.js';
import { DirectorySharesService } from './directory-shares.service.js';
import { EvidenceService } from './evidence.service.js';
import { GITHUB_DEVICE_FLOW, GitHubDeviceFlowClient } from './github-device-flow.client.js';
import { LinkedIdentityChallengesService } from './linked-identity-challenges.service.js';
import { GitLabRepositoryVerifier } from './gitlab-repository-verifier.js';
import { GitHubRepositoryVerifier, REPOSITORY_VERIFIERS, type RepositoryVerifier } from './repository-verifier.js';
import { scoringConfigProvider, SCORING_CONFIG } from './scoring-config.provider.js';

/** Assessments (the pure scorer run on a ticket and stored) and proof-of-control challenges. */
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
    ChallengesService,
    DirectorySharesService,
    EvidenceService,
    LinkedIdentityChallengesService,
  ],
  exports: [ChallengesService, DirectorySharesService, EvidenceService, LinkedIdentityChallengesService, SCORING_CONFIG],
})
export class EvidenceModule {}
