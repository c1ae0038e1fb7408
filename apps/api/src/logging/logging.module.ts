import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_LOGGER, type AppLogger } from './logger.js';

@Global()
@Module({})
export class LoggingModule {
  static forRoot(logger: AppLogger): DynamicModule {
    return {
      module: LoggingModule,
      providers: [{ provide: APP_LOGGER, useValue: logger }],
      exports: [APP_LOGGER],
    };
  }
}
