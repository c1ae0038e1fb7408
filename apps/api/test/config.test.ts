import { DEFAULT_LIMITS, DEFAULT_TIMEOUTS, MAX_SERVER_FRAME_BYTES } from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/config.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3001,
      host: '0.0.0.0',
      allowedOrigins: ['http://localhost:3000', 'http://127.0.0.1:3000'],
      logLevel: 'info',
      helloTimeoutMs: 10_000,
      resumeGraceMs: 5_000,
      limits: {
        maxFrameBytes: 65_536,
        maxServerFrameBytes: 1_048_576,
        messagesPerSecond: 20,
        burst: 40,
        maxTextChars: 4000,
      },
      sendBufferLimitBytes: 8 * 1024 * 1024,
      shutdownGraceMs: 2000,
      callRingTimeoutMs: 30_000,
      dataDir: '.data',
      embeddedStore: 'auto',
      identitySecret: undefined,
      ice: { stunUrls: [], turnUrls: [], turnSecret: '', turnTtlSeconds: 3600 },
    });
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.helloTimeoutMs).toBe(DEFAULT_TIMEOUTS.helloTimeoutMs);
    expect(config.resumeGraceMs).toBe(DEFAULT_TIMEOUTS.resumeGraceMs);
    expect(config.ice.turnTtlSeconds).toBe(DEFAULT_TIMEOUTS.turnTtlSeconds);
  });

  it('reads process.env when given nothing', () => {
    const saved = process.env.HELLO_TIMEOUT_MS;
    process.env.HELLO_TIMEOUT_MS = '1234';
    try {
      expect(loadConfig().helloTimeoutMs).toBe(1234);
    } finally {
      if (saved === undefined) delete process.env.HELLO_TIMEOUT_MS;
      else process.env.HELLO_TIMEOUT_MS = saved;
    }
  });

  it('overrides, as strings (the environment) or numbers', () => {
    const config = loadConfig({
      PORT: '4000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      HELLO_TIMEOUT_MS: 250,
      RESUME_GRACE_MS: '0',
      MAX_FRAME_BYTES: '2048',
      MESSAGES_PER_SECOND: '0.5',
      BURST: 3,
      MAX_TEXT_CHARS: '10',
      SHUTDOWN_GRACE_MS: '0',
      DATA_DIR: '/tmp/duplex',
      EMBEDDED_STORE: 'pglite',
      IDENTITY_SECRET: 'sixteen chars ok',
      STUN_URLS: 'stun:a,stun:b',
      TURN_URLS: 'turn:t',
      TURN_SECRET: 'x',
      TURN_TTL_S: '120',
    });
    expect(config.port).toBe(4000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.logLevel).toBe('silent');
    expect(config.helloTimeoutMs).toBe(250);
    expect(config.resumeGraceMs).toBe(0);
    expect(config.limits).toEqual({
      maxFrameBytes: 2048,
      maxServerFrameBytes: MAX_SERVER_FRAME_BYTES,
      messagesPerSecond: 0.5,
      burst: 3,
      maxTextChars: 10,
    });
    expect(config.shutdownGraceMs).toBe(0);
    expect(config.dataDir).toBe('/tmp/duplex');
    expect(config.embeddedStore).toBe('pglite');
    expect(config.identitySecret).toBe('sixteen chars ok');
    expect(config.ice).toEqual({
      stunUrls: ['stun:a', 'stun:b'],
      turnUrls: ['turn:t'],
      turnSecret: 'x',
      turnTtlSeconds: 120,
    });
  });

  it('maxServerFrameBytes is always 1 MiB, whatever the environment says', () => {
    // Not a setting: an environment that names it anyway changes nothing.
    const env: NodeJS.ProcessEnv = { MAX_SERVER_FRAME_BYTES: '4096', MAX_FRAME_BYTES: '1048576' };
    const config = loadConfig(env);
    expect(config.limits.maxServerFrameBytes).toBe(1_048_576);
  });

  it('an empty IDENTITY_SECRET means unset (a secret kept in DATA_DIR)', () => {
    expect(loadConfig({ IDENTITY_SECRET: '' }).identitySecret).toBeUndefined();
  });

  it('the limits are frozen', () => {
    expect(Object.isFrozen(loadConfig({}).limits)).toBe(true);
  });

  describe('ALLOWED_ORIGINS', () => {
    it.each([
      ['a single origin', 'https://a.test', ['https://a.test']],
      [
        'a comma-separated list, trimmed',
        ' https://a.test , http://b.test:8080 ',
        ['https://a.test', 'http://b.test:8080'],
      ],
      ['empty items dropped', 'https://a.test,,, ,', ['https://a.test']],
      ['empty: no origin at all', '', []],
      ['only commas and spaces', ' , , ', []],
      ['the wildcard', '*', ['*']],
    ])('%s', (_, value, expected) => {
      expect(loadConfig({ ALLOWED_ORIGINS: value }).allowedOrigins).toEqual(expected);
    });
  });

  describe('invalid values throw ConfigError naming the variable', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '3.5'],
      ['PORT', '-1'],
      ['HELLO_TIMEOUT_MS', '0'],
      ['HELLO_TIMEOUT_MS', 'soon'],
      ['RESUME_GRACE_MS', '-5'],
      ['MAX_FRAME_BYTES', '100'],
      ['MESSAGES_PER_SECOND', '0'],
      ['MESSAGES_PER_SECOND', 'fast'],
      ['BURST', '0'],
      ['BURST', '1.5'],
      ['MAX_TEXT_CHARS', '0'],
      ['LOG_LEVEL', 'loud'],
      ['TURN_TTL_S', '10'],
      ['IDENTITY_SECRET', 'fifteen chars!!'],
      ['EMBEDDED_STORE', 'leveldb'],
    ])('%s=%s', (name, value) => {
      const error = configError(() => loadConfig({ [name]: value }));
      expect(error.message).toContain(name);
    });

    it('names every invalid variable at once', () => {
      const error = configError(() => loadConfig({ PORT: 'abc', BURST: '0' }));
      expect(error.message).toContain('PORT');
      expect(error.message).toContain('BURST');
    });
  });

  it('TURN_URLS without TURN_SECRET throws ConfigError naming TURN_SECRET', () => {
    const error = configError(() => loadConfig({ TURN_URLS: 'turn:turn.test:3478' }));
    expect(error.message).toContain('TURN_SECRET');
  });

  it('TURN_SECRET without TURN_URLS is fine (no TURN entry)', () => {
    expect(loadConfig({ TURN_SECRET: 's' }).ice.turnUrls).toEqual([]);
  });
});
