import { Inject } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { AckData, ClientEventData } from '@duplex/protocol';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IceService } from '../ice/ice.service.js';
import { IdentityService } from '../identity/identity.service.js';
import { Connection } from '../ws/connection.js';
import { Conn } from '../ws/inbound-frame.js';
import { ProtocolGateway } from '../ws/protocol-gateway.decorator.js';
import { SessionRegistry } from './session-registry.js';

@ProtocolGateway()
export class SessionGateway {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionRegistry,
    private readonly identities: IdentityService,
    private readonly ice: IceService,
  ) {}

  /** A resume token restores its session (the identity is then ignored); else the identity's user, or a new one. */
  @SubscribeMessage('hello')
  async hello(
    @MessageBody() data: ClientEventData<'hello'>,
    @Conn() connection: Connection,
  ): Promise<AckData<'hello'>> {
    const presentedUserId =
      data.resume === undefined ? this.identities.verify(data.identity) : undefined;
    const session =
      data.resume !== undefined
        ? await this.sessions.resume(connection, data.resume)
        : await this.sessions.start(
            connection,
            presentedUserId ?? this.identities.newUserId(),
            data.name,
          );
    const { userId, name } = session.user;
    return {
      userId,
      name,
      // A valid identity goes back as it came: signing its user again gives the same string.
      identity:
        presentedUserId === userId && data.identity !== undefined
          ? data.identity
          : this.identities.sign(userId),
      resume: session.token,
      resumed: data.resume !== undefined,
      rooms: [...session.rooms],
      iceServers: this.ice.serversFor(userId),
      limits: this.config.limits,
      serverTime: new Date().toISOString(),
    };
  }

  @SubscribeMessage('ping')
  ping(): AckData<'ping'> {
    return { serverTime: new Date().toISOString() };
  }

  @SubscribeMessage('ice.refresh')
  refreshIce(@Conn() connection: Connection): AckData<'ice.refresh'> {
    return { iceServers: this.ice.serversFor(connection.session!.user.userId) };
  }
}
