import { Global, Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry.js';
import { FramePipeline } from './frame-pipeline.js';

@Global()
@Module({
  providers: [ConnectionRegistry, FramePipeline],
  exports: [ConnectionRegistry, FramePipeline],
})
export class WsModule {}
