import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { loadIdentitySecret } from './identity-secret.js';
import { IdentityService } from './identity.service.js';

@Global()
@Module({
  providers: [
    {
      provide: IdentityService,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) =>
        new IdentityService(await loadIdentitySecret(config.identitySecret, config.dataDir)),
    },
  ],
  exports: [IdentityService],
})
export class IdentityModule {}
