import { Inject, Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { Connection } from './connection.js';

/** The live `/ws` connections of this instance, looked up by their socket. */
@Injectable()
export class ConnectionRegistry {
  private readonly bySocket = new Map<WebSocket, Connection>();
  private readonly closedListeners = new Set<(connection: Connection) => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  open(socket: WebSocket): Connection {
    const existing = this.bySocket.get(socket);
    if (existing) return existing;
    const connection = new Connection(socket, {
      rate: this.config.limits,
      sendBufferLimitBytes: this.config.sendBufferLimitBytes,
      onFrameSent: (event, count) => this.metrics.framesOut.inc({ event }, count),
    });
    this.bySocket.set(socket, connection);
    this.metrics.connections.inc({ endpoint: '/ws' });
    socket.once('close', () => {
      this.bySocket.delete(socket);
      this.metrics.connections.dec({ endpoint: '/ws' });
      for (const listener of this.closedListeners) listener(connection);
    });
    return connection;
  }

  onClosed(listener: (connection: Connection) => void): void {
    this.closedListeners.add(listener);
  }

  get(socket: WebSocket): Connection | undefined {
    return this.bySocket.get(socket);
  }

  get size(): number {
    return this.bySocket.size;
  }
}
