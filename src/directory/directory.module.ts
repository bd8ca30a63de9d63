import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository.js';
import { DemoDataLoader } from './demo-data.loader.js';
import { DirectoryService } from './directory.service.js';

@Module({
  providers: [DirectoryService, DemoDataLoader, AccountRepository],
  exports: [DirectoryService, AccountRepository],
})
export class DirectoryModule {}
