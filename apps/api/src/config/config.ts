import {
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  MAX_SERVER_FRAME_BYTES,
  TICKER_LIMITS,
  type Limits,
} from '@duplex/protocol';
import { z } from 'zod';
import { EMBEDDED_ENGINES, type EmbeddedStoreSetting } from '../storage/embedded-engine.js';

const integer = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    );

/** Every setting of the api, read from the environment and validated once at start-up. */
const configSchema = z.object({
  PORT: integer(3001),
  HOST: z.string().default('0.0.0.0'),
  ALLOWED_ORIGINS: list('http://localhost:3000,http://127.0.0.1:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HELLO_TIMEOUT_MS: integer(DEFAULT_TIMEOUTS.helloTimeoutMs, 1),
  RESUME_GRACE_MS: integer(DEFAULT_TIMEOUTS.resumeGraceMs, 0),
  MAX_FRAME_BYTES: integer(DEFAULT_LIMITS.maxFrameBytes, 256),
  MESSAGES_PER_SECOND: z.coerce.number().positive().default(DEFAULT_LIMITS.messagesPerSecond),
  BURST: integer(DEFAULT_LIMITS.burst, 1),
  MAX_TEXT_CHARS: integer(DEFAULT_LIMITS.maxTextChars, 1),
  SEND_BUFFER_LIMIT_BYTES: integer(8 * 1024 * 1024, 1024),
  SHUTDOWN_GRACE_MS: integer(2000, 0),
  HEARTBEAT_INTERVAL_MS: integer(30_000, 100),
  CALL_RING_TIMEOUT_MS: integer(DEFAULT_TIMEOUTS.callRingTimeoutMs, 1),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_STORE: z.enum(['auto', ...EMBEDDED_ENGINES]).default('auto'),
  DATABASE_URL: z
    .string()
    .default('')
    .refine(
      (value) => value === '' || /^postgres(ql)?:\/\//.test(value),
      'must be a postgres:// or postgresql:// URL (or empty for the embedded store)',
    ),
  REDIS_URL: z
    .string()
    .default('')
    .refine(
      (value) => value === '' || /^rediss?:\/\//.test(value),
      'must be a redis:// or rediss:// URL (or empty for a single instance)',
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/)
    .default('duplex:'),
  INSTANCE_LEASE_MS: integer(10_000, 1000),
  GAP_CHECK_INTERVAL_MS: integer(5000, 100),
  HTTP_READS_PER_SECOND: z.coerce.number().positive().default(10),
  HTTP_READ_BURST: integer(30, 1),
  TRUST_PROXY: z.string().default(''),
  IDENTITY_SECRET: z
    .string()
    .default('')
    .refine((value) => value === '' || value.length >= 16, 'must be at least 16 characters'),
  STUN_URLS: list(''),
  TURN_URLS: list(''),
  TURN_SECRET: z.string().default(''),
  TURN_TTL_S: integer(DEFAULT_TIMEOUTS.turnTtlSeconds, 60),
  TICKER_MAX_HELD_POLLS: integer(TICKER_LIMITS.maxHeldLongPolls, 1),
  TICKER_MAX_SSE_STREAMS: integer(TICKER_LIMITS.maxSseStreams, 1),
  TICKER_MAX_WEBSOCKETS: integer(TICKER_LIMITS.maxWebSockets, 1),
  TICKER_SSE_HEARTBEAT_MS: integer(TICKER_LIMITS.sseHeartbeatMs, 100),
});

export type ConfigInput = Partial<Record<keyof z.input<typeof configSchema>, string | number>>;

export interface AppConfig {
  port: number;
  host: string;
  allowedOrigins: readonly string[];
  logLevel: z.output<typeof configSchema>['LOG_LEVEL'];
  helloTimeoutMs: number;
  resumeGraceMs: number;
  limits: Readonly<Limits>;
  sendBufferLimitBytes: number;
  shutdownGraceMs: number;
  heartbeatIntervalMs: number;
  callRingTimeoutMs: number;
  dataDir: string;
  /** Which embedded store keeps history in `dataDir` when there is no `databaseUrl`. */
  embeddedStore: EmbeddedStoreSetting;
  /** PostgreSQL for chat history; undefined: the embedded store in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * Redis between instances (fan-out, sessions, presence, calls); undefined: one instance that
   * holds all of it in memory.
   */
  redis: { url: string; keyPrefix: string } | undefined;
  /** An instance whose lease is this old is dead: the others end its sessions. */
  instanceLeaseMs: number;
  /** How often an instance looks for messages it was not sent (silent rooms after a failure). */
  gapCheckIntervalMs: number;
  /** Per client address: the history and member routes' token bucket. */
  httpReads: { messagesPerSecond: number; burst: number };
  /** Express's `trust proxy`: which proxies' `X-Forwarded-For` names the client; false when empty. */
  trustProxy: string | false;
  /** Signs identities; when unset, a secret generated once is kept in `dataDir`. */
  identitySecret: string | undefined;
  ice: {
    stunUrls: readonly string[];
    turnUrls: readonly string[];
    turnSecret: string;
    turnTtlSeconds: number;
  };
  /** The ticker's bounds on this instance (PROTOCOL.md, "Ticker"). */
  ticker: {
    maxHeldPolls: number;
    maxSseStreams: number;
    maxWebSockets: number;
    sseHeartbeatMs: number;
  };
}

/** Nest injection token for {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

export function loadConfig(env: ConfigInput | NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  if (c.TURN_URLS.length > 0 && c.TURN_SECRET === '') {
    throw new ConfigError('Invalid configuration:\n  TURN_SECRET: required when TURN_URLS is set');
  }
  if (c.REDIS_URL !== '' && c.DATABASE_URL === '') {
    throw new ConfigError(
      'Invalid configuration:\n  REDIS_URL: needs DATABASE_URL (instances share one PostgreSQL)',
    );
  }
  return {
    port: c.PORT,
    host: c.HOST,
    allowedOrigins: c.ALLOWED_ORIGINS,
    logLevel: c.LOG_LEVEL,
    helloTimeoutMs: c.HELLO_TIMEOUT_MS,
    resumeGraceMs: c.RESUME_GRACE_MS,
    limits: Object.freeze({
      maxFrameBytes: c.MAX_FRAME_BYTES,
      messagesPerSecond: c.MESSAGES_PER_SECOND,
      burst: c.BURST,
      maxTextChars: c.MAX_TEXT_CHARS,
      maxServerFrameBytes: MAX_SERVER_FRAME_BYTES,
    }),
    sendBufferLimitBytes: c.SEND_BUFFER_LIMIT_BYTES,
    shutdownGraceMs: c.SHUTDOWN_GRACE_MS,
    heartbeatIntervalMs: c.HEARTBEAT_INTERVAL_MS,
    callRingTimeoutMs: c.CALL_RING_TIMEOUT_MS,
    dataDir: c.DATA_DIR,
    embeddedStore: c.EMBEDDED_STORE,
    databaseUrl: c.DATABASE_URL === '' ? undefined : c.DATABASE_URL,
    redis: c.REDIS_URL === '' ? undefined : { url: c.REDIS_URL, keyPrefix: c.REDIS_KEY_PREFIX },
    instanceLeaseMs: c.INSTANCE_LEASE_MS,
    gapCheckIntervalMs: c.GAP_CHECK_INTERVAL_MS,
    httpReads: { messagesPerSecond: c.HTTP_READS_PER_SECOND, burst: c.HTTP_READ_BURST },
    trustProxy: c.TRUST_PROXY === '' ? false : c.TRUST_PROXY,
    identitySecret: c.IDENTITY_SECRET === '' ? undefined : c.IDENTITY_SECRET,
    ice: {
      stunUrls: c.STUN_URLS,
      turnUrls: c.TURN_URLS,
      turnSecret: c.TURN_SECRET,
      turnTtlSeconds: c.TURN_TTL_S,
    },
    ticker: {
      maxHeldPolls: c.TICKER_MAX_HELD_POLLS,
      maxSseStreams: c.TICKER_MAX_SSE_STREAMS,
      maxWebSockets: c.TICKER_MAX_WEBSOCKETS,
      sseHeartbeatMs: c.TICKER_SSE_HEARTBEAT_MS,
    },
  };
}
