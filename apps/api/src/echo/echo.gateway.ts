import { Inject } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { CloseCode } from '@duplex/protocol';
import { WebSocket } from 'ws';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ConnectionRateLimiter } from '../ws/rate-limiter.js';
import { rawToBuffer } from '../ws/raw-data.js';
import { sendWithinBuffer } from '../ws/send-buffer.js';

const ECHO_PATH = '/ws/echo';

/**
 * The playground endpoint: every frame comes back unchanged, text as text, binary as binary.
 * It has the protection of `/ws` without its envelope: a frame over the rate limit is simply
 * not echoed, a flood far past it closes 1008, and a client that does not read what it is
 * sent closes 1013.
 */
@WebSocketGateway({ path: ECHO_PATH })
export class EchoGateway implements OnGatewayConnection {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  handleConnection(socket: WebSocket): void {
    this.metrics.connections.inc({ endpoint: ECHO_PATH });
    socket.once('close', () => this.metrics.connections.dec({ endpoint: ECHO_PATH }));
    const rate = new ConnectionRateLimiter(this.config.limits);
    socket.on('message', (data, isBinary) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      switch (rate.decide()) {
        case 'accept':
          sendWithinBuffer(socket, rawToBuffer(data), isBinary, this.config.sendBufferLimitBytes);
          return;
        case 'reject':
          return;
        case 'close':
          socket.close(CloseCode.PolicyViolation, 'rate limit exceeded');
          return;
      }
    });
  }
}
