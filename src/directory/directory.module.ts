import { Module } from '@nestjs/common';
import { DemoDataLoader } from './demo-data.loader.js';
import { DirectoryService } from './directory.service.js';

@Module({
  providers: [DirectoryService, DemoDataLoader],
  exports: [DirectoryService],
})
export class DirectoryModule {}
