import type { RedisClientType } from 'redis';
import type { AppLogger } from '../logging/logger.js';

/** Redis is retried for ever, backing off to once a second: an instance recovers by itself. */
const MAX_RECONNECT_DELAY_MS = 1000;
const PING_TIMEOUT_MS = 1000;

export type RedisClient = RedisClientType;

/**
 * The instance's two Redis connections: one for commands and publishing, and one in subscriber
 * mode (Redis allows nothing else on a subscribed connection). Commands issued while Redis is
 * unreachable wait, in order, for the reconnection.
 */
export class RedisConnections {
  readonly commands: RedisClient;
  readonly subscriber: RedisClient;

  /**
   * Connects both. The Redis client's code is loaded here, on first use: a single instance,
   * which never uses it, is spared its memory (about 25 MB).
   */
  static async open(url: string, keyPrefix: string, logger: AppLogger): Promise<RedisConnections> {
    const { createClient } = await import('redis');
    const connections = new RedisConnections(createClient, url, keyPrefix, logger);
    await Promise.all([connections.commands.connect(), connections.subscriber.connect()]);
    return connections;
  }

  private constructor(
    createClient: typeof import('redis').createClient,
    url: string,
    readonly keyPrefix: string,
    logger: AppLogger,
  ) {
    this.commands = createClient({
      url,
      socket: {
        reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
      },
    }) as RedisClient;
    this.subscriber = this.commands.duplicate();
    for (const [role, client] of [
      ['commands', this.commands],
      ['subscriber', this.subscriber],
    ] as const) {
      client.on('error', (error: unknown) =>
        logger.warn({ err: error, role }, 'redis connection error'),
      );
      client.on('ready', () => logger.info({ role }, 'redis connection ready'));
    }
  }

  /** Whether Redis answers now (readiness). */
  async ping(): Promise<boolean> {
    if (!this.commands.isReady) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.commands.ping().then((reply) => reply === 'PONG'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber.close(), this.commands.close()]);
  }

  /** A key or channel name under the configured prefix. */
  key(...parts: string[]): string {
    return this.keyPrefix + parts.join(':');
  }
}

export const REDIS = Symbol('REDIS');
