import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { MetricsService } from '../metrics/metrics.service.js';

const ECHO_PATH = '/ws/echo';

/** The playground endpoint: every frame comes back unchanged, text as text, binary as binary. */
@WebSocketGateway({ path: ECHO_PATH })
export class EchoGateway implements OnGatewayConnection {
  constructor(private readonly metrics: MetricsService) {}

  handleConnection(socket: WebSocket): void {
    this.metrics.connections.inc({ endpoint: ECHO_PATH });
    socket.once('close', () => this.metrics.connections.dec({ endpoint: ECHO_PATH }));
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
  }
}
