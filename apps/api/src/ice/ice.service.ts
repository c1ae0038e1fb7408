import { Inject, Injectable } from '@nestjs/common';
import type { IceServer } from '@duplex/protocol';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { turnCredentials } from './turn-credentials.js';

/** The ICE servers handed to a user: STUN as configured, TURN with fresh REST credentials. */
@Injectable()
export class IceService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  serversFor(userId: string): IceServer[] {
    const { stunUrls, turnUrls, turnSecret, turnTtlSeconds } = this.config.ice;
    const servers: IceServer[] = [];
    if (stunUrls.length > 0) servers.push({ urls: [...stunUrls] });
    if (turnUrls.length > 0) {
      servers.push({ urls: [...turnUrls], ...turnCredentials(turnSecret, userId, turnTtlSeconds) });
    }
    return servers;
  }
}
