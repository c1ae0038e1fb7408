import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { ClientEventData } from '@duplex/protocol';
import { Frame, InboundFrame } from '../ws/inbound-frame.js';
import { ProtocolGateway } from '../ws/protocol-gateway.decorator.js';
import { ChatService } from './chat.service.js';

@ProtocolGateway()
export class ChatGateway {
  constructor(private readonly chat: ChatService) {}

  @SubscribeMessage('chat.send')
  send(
    @MessageBody() data: ClientEventData<'chat.send'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.chat.send(frame.session, data, (ack) => frame.ack(ack));
  }

  @SubscribeMessage('chat.typing')
  typing(@MessageBody() data: ClientEventData<'chat.typing'>, @Frame() frame: InboundFrame): void {
    this.chat.typing(frame.session, data);
  }
}
