import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { turnCredentials } from '../src/ice/turn-credentials.js';
import { startServer, type TestServer } from './support/api-server.js';
import { RawClient, type HelloAck } from './support/raw-client.js';

const STUN = 'stun:stun.duplex.test:3478';
const TURN = [
  'turn:turn.duplex.test:3478?transport=udp',
  'turns:turn.duplex.test:5349?transport=tcp',
];
const SECRET = 'north-secret';
const TTL = 600;

/** base64(HMAC-SHA1(secret, username)), computed here independently of the api. */
const hmac = (secret: string, username: string) =>
  createHmac('sha1', secret).update(username, 'utf8').digest('base64');

type IceServer = HelloAck['iceServers'][number];

function turnEntry(servers: IceServer[]): IceServer {
  const entry = servers.find((server) => server.username !== undefined);
  expect(entry).toBeDefined();
  return entry!;
}

function expectValidTurn(entry: IceServer, userId: string, fromMs: number, toMs: number): number {
  expect(entry.urls).toEqual(TURN);
  const [expiryText, ...rest] = entry.username!.split(':');
  expect(rest.join(':')).toBe(userId);
  expect(expiryText).toMatch(/^\d+$/);
  const expiry = Number(expiryText);
  expect(expiry).toBeGreaterThanOrEqual(Math.floor(fromMs / 1000) + TTL);
  expect(expiry).toBeLessThanOrEqual(Math.floor(toMs / 1000) + TTL);
  expect(entry.credential).toBe(hmac(SECRET, entry.username!));
  return expiry;
}

describe('ICE servers in the hello ack and ice.refresh', () => {
  let server: TestServer;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    server = await startServer({
      STUN_URLS: STUN,
      TURN_URLS: TURN.join(','),
      TURN_SECRET: SECRET,
      TURN_TTL_S: TTL,
    });
  });
  afterAll(async () => {
    await server.stop();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  async function connect(): Promise<RawClient> {
    const client = await RawClient.connect(server.wsUrl('/ws'));
    clients.push(client);
    return client;
  }

  it('the ack has the STUN entry and a TURN entry with REST credentials', async () => {
    const client = await connect();
    const before = Date.now();
    const ack = await client.hello('Ivy');
    const after = Date.now();
    expect(ack.iceServers).toHaveLength(2);
    const stun = ack.iceServers.find((entry) => entry.username === undefined);
    expect(stun).toEqual({ urls: [STUN] });
    expect(stun).not.toHaveProperty('credential');
    expectValidTurn(turnEntry(ack.iceServers), ack.userId, before, after);
  });

  it('ice.refresh returns fresh credentials for the same user', async () => {
    const client = await connect();
    const before = Date.now();
    const ack = await client.hello('Jack');
    const firstExpiry = expectValidTurn(turnEntry(ack.iceServers), ack.userId, before, Date.now());

    // Two minutes later (only Date is faked: the server reads Date.now()).
    const later = Date.now() + 120_000;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(later);
    const reply = await client.request('ice.refresh', {});
    const after = Date.now();
    vi.useRealTimers();

    expect(reply.event).toBe('ack');
    expect(Object.keys(reply.data)).toEqual(['iceServers']);
    const servers = reply.data.iceServers as IceServer[];
    expect(servers.find((entry) => entry.username === undefined)).toEqual({ urls: [STUN] });
    const refreshed = turnEntry(servers);
    const secondExpiry = expectValidTurn(refreshed, ack.userId, later, after);
    expect(secondExpiry).toBeGreaterThanOrEqual(firstExpiry + 119);
    expect(refreshed.username).not.toBe(turnEntry(ack.iceServers).username);
    expect(refreshed.credential).not.toBe(turnEntry(ack.iceServers).credential);
  });

  it('ice.refresh before hello → unauthenticated', async () => {
    const client = await connect();
    const reply = await client.request('ice.refresh', {});
    expect(reply.data.code).toBe('unauthenticated');
  });

  it('different users get different usernames and credentials', async () => {
    const a = await connect();
    const b = await connect();
    const ackA = await a.hello('A');
    const ackB = await b.hello('B');
    expect(turnEntry(ackA.iceServers).username).not.toBe(turnEntry(ackB.iceServers).username);
    expect(turnEntry(ackA.iceServers).credential).not.toBe(turnEntry(ackB.iceServers).credential);
  });
});

describe('ICE with only STUN configured', () => {
  it('has no TURN entry', async () => {
    const server = await startServer({ STUN_URLS: `${STUN},stun:stun2.duplex.test` });
    try {
      const client = await RawClient.connect(server.wsUrl('/ws'));
      const ack = await client.hello('Kim');
      expect(ack.iceServers).toEqual([{ urls: [STUN, 'stun:stun2.duplex.test'] }]);
      const refreshed = await client.request('ice.refresh', {});
      expect(refreshed.data).toEqual({ iceServers: [{ urls: [STUN, 'stun:stun2.duplex.test'] }] });
      await client.close();
    } finally {
      await server.stop();
    }
  });
});

describe('turnCredentials (unit, fixed clock)', () => {
  it('the HMAC helper of this test matches RFC 2202 test case 2', () => {
    expect(
      Buffer.from(hmac('Jefe', 'what do ya want for nothing?'), 'base64').toString('hex'),
    ).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79');
  });

  it('expiry is floor(now / 1000) + ttl, username "<expiry>:<userId>"', () => {
    expect(turnCredentials('s', 'u-1', 3600, 1_700_000_000_000).username).toBe('1700003600:u-1');
    expect(turnCredentials('s', 'u-1', 3600, 1_700_000_000_999).username).toBe('1700003600:u-1');
    expect(turnCredentials('s', 'u-1', 3600, 1_700_000_001_000).username).toBe('1700003601:u-1');
    expect(turnCredentials('s', 'u-1', 60, 0).username).toBe('60:u-1');
  });

  it('computes the credential of a known vector', () => {
    // printf '%s' '1700003600:alice' | openssl dgst -sha1 -hmac north-secret -binary | base64
    expect(turnCredentials('north-secret', 'alice', 3600, 1_700_000_000_500)).toEqual({
      username: '1700003600:alice',
      credential: 'Ji4axghh2/aljHmsPgH9mtDGVLw=',
    });
  });

  it('the credential is base64(HMAC-SHA1(secret, username)) for a UUID user', () => {
    const userId = '0b8a4a5e-4a47-4b8e-9d43-1f0c2d3e4f50';
    const result = turnCredentials('another secret', userId, 86_400, 1_234_567_890_123);
    expect(result.username).toBe(`${1_234_567_890 + 86_400}:${userId}`);
    expect(result.credential).toBe(hmac('another secret', result.username));
    expect(Buffer.from(result.credential, 'base64')).toHaveLength(20);
  });

  it('uses Date.now() by default', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(2_000_000_000_000);
      expect(turnCredentials('s', 'u', 100).username).toBe('2000000100:u');
    } finally {
      vi.useRealTimers();
    }
  });
});
