import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { ClientEventData } from '@duplex/protocol';
import { Frame, InboundFrame } from '../ws/inbound-frame.js';
import { ProtocolGateway } from '../ws/protocol-gateway.decorator.js';
import { CallService } from './call.service.js';

/** Call signalling: every handler acks with `{}` once its frames were sent (or published). */
@ProtocolGateway()
export class CallsGateway {
  constructor(private readonly calls: CallService) {}

  @SubscribeMessage('call.invite')
  invite(
    @MessageBody() data: ClientEventData<'call.invite'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.invite(frame.session, data);
  }

  @SubscribeMessage('call.accept')
  accept(
    @MessageBody() data: ClientEventData<'call.accept'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.accept(frame.session, data);
  }

  @SubscribeMessage('call.decline')
  decline(
    @MessageBody() data: ClientEventData<'call.decline'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.decline(frame.session, data);
  }

  @SubscribeMessage('call.bye')
  bye(
    @MessageBody() data: ClientEventData<'call.bye'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.bye(frame.session, data);
  }

  @SubscribeMessage('call.offer')
  offer(
    @MessageBody() data: ClientEventData<'call.offer'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.relay(frame.session, { event: 'call.offer', data });
  }

  @SubscribeMessage('call.answer')
  answer(
    @MessageBody() data: ClientEventData<'call.answer'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.relay(frame.session, { event: 'call.answer', data });
  }

  @SubscribeMessage('call.candidate')
  candidate(
    @MessageBody() data: ClientEventData<'call.candidate'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.relay(frame.session, { event: 'call.candidate', data });
  }

  @SubscribeMessage('call.media')
  media(
    @MessageBody() data: ClientEventData<'call.media'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.calls.relay(frame.session, { event: 'call.media', data });
  }
}
