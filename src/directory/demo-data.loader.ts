import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { generateDirectory } from './demo-directory.js';
import { parseDirectoryFile } from './directory-file.js';
import { DirectoryService } from './directory.service.js';

export const DEMO_ACCOUNTS = 300;

/** DEMO_DATA: on the first start (an empty directory) load a demo directory, so the app can be tried at once. */
@Injectable()
export class DemoDataLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoData');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly directory: DirectoryService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demoData || this.config.role === 'worker' || (await this.directory.countAccounts()) > 0) return;
    const parsed = parseDirectoryFile(JSON.stringify(generateDirectory(DEMO_ACCOUNTS)));
    if (!parsed.ok) throw new Error(`demo directory is invalid: ${parsed.problems[0].reason}`);
    const counts = await this.directory.importAccounts(parsed.accounts, parsed.fingerprints);
    this.logger.log(`loaded the demo directory: ${counts.created} accounts (try username "alice")`);
  }
}
