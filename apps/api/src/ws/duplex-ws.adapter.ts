import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { CloseCode } from '@duplex/protocol';
import type { IncomingMessage } from 'node:http';
import { WebSocket, type WebSocketServer } from 'ws';
import type { AppConfig } from '../config/config.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { FrameHandler } from './connection.js';
import { FramePipeline } from './frame-pipeline.js';
import { startHeartbeat } from './heartbeat.js';
import { isOriginAllowed } from './origin-check.js';

/**
 * Nest's `ws` adapter with Duplex's transport rules: the frame size limit (close 1009), the
 * origin check before the upgrade (HTTP 403), the `/ws` frame pipeline, and a shutdown that
 * closes every socket with 1001 so clients reconnect and resume.
 */
export class DuplexWsAdapter extends WsAdapter {
  /** Set once shutdown began: new upgrades are refused (503), so clients go to other instances. */
  private closing = false;

  constructor(
    private readonly app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> = {}): WebSocketServer {
    const server = super.create(port, {
      ...options,
      maxPayload: this.config.limits.maxFrameBytes,
      perMessageDeflate: false,
      verifyClient: (
        info: { req: IncomingMessage },
        answer: (allowed: boolean, status?: number, message?: string) => void,
      ) => {
        if (this.closing) return answer(false, 503, 'Shutting down');
        if (!isOriginAllowed(info.req.headers.origin, this.config.allowedOrigins)) {
          return answer(false, 403, 'Origin not allowed');
        }
        answer(true);
      },
    }) as WebSocketServer;
    const stopHeartbeat = startHeartbeat(server, this.config.heartbeatIntervalMs);
    server.once('close', stopHeartbeat);
    return server;
  }

  /**
   * `ws` reports on a socket's `error` event why it closed it: a client that broke the
   * WebSocket protocol (a message over `maxFrameBytes`, closed 1009; invalid UTF-8; an unmasked
   * frame) or a peer that vanished. Neither is a fault of the server, so neither is logged as
   * an error; a fault of the server's listener still is.
   */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    const logger = this.app.get<AppLogger>(APP_LOGGER);
    server.on('connection', (socket: WebSocket) =>
      socket.on('error', (error: Error & { code?: string }) => {
        if (error.code?.startsWith('WS_ERR_')) {
          logger.warn(
            { code: error.code, maxFrameBytes: this.config.limits.maxFrameBytes },
            `client closed for a protocol violation: ${error.message}`,
          );
        } else if (error.code !== undefined && PEER_GONE.has(error.code)) {
          logger.info({ code: error.code }, 'client connection lost');
        } else {
          logger.error({ err: error }, 'websocket error');
        }
      }),
    );
    server.on('error', (error: Error) => logger.error({ err: error }, 'websocket server error'));
    return server;
  }

  /**
   * Nest binds each gateway of a path separately; the gateways of `/ws` share one connection,
   * so their handlers are gathered on it and its frame pipeline is attached once.
   */
  override bindMessageHandlers(socket: WebSocket, handlers: MessageMappingProperties[]): void {
    // Gateways without message handlers (the echo endpoint) read their socket themselves.
    if (handlers.length === 0) return;
    const connection = this.app.get(ConnectionRegistry).open(socket);
    const firstGateway = connection.handlers.size === 0;
    for (const handler of handlers) {
      connection.handlers.set(handler.message as string, handler.callback as FrameHandler);
    }
    if (firstGateway) this.app.get(FramePipeline).attach(connection);
  }

  override async close(server: WebSocketServer): Promise<void> {
    this.closing = true;
    await closeClients(server, this.config.shutdownGraceMs);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Socket errors that mean the peer went away. */
const PEER_GONE: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Closes every client with 1001 and waits for the closing handshakes, at most `graceMs`. */
async function closeClients(server: WebSocketServer, graceMs: number): Promise<void> {
  const open = [...server.clients].filter((socket) => socket.readyState !== WebSocket.CLOSED);
  const closed = open.map(
    (socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())),
  );
  for (const socket of open) socket.close(CloseCode.GoingAway, 'server going away');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([Promise.all(closed), deadline]);
  clearTimeout(timer);
  for (const socket of open) if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
}
