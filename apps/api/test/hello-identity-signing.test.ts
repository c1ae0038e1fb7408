import type { User } from '@duplex/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { IceService } from '../src/ice/ice.service.js';
import { IdentityService } from '../src/identity/identity.service.js';
import { SessionGateway } from '../src/session/session.gateway.js';
import type { SessionRegistry } from '../src/session/session-registry.js';
import type { Session } from '../src/session/session.js';
import type { Connection } from '../src/ws/connection.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const config = loadConfig({});
const identities = new IdentityService('a test secret of enough length');

/** Sessions that start at once, for the user they are given. */
const sessions = {
  start: (_connection: Connection, userId: string, name: string) =>
    Promise.resolve(sessionOf({ userId, name })),
} as unknown as SessionRegistry;

function sessionOf(user: User): Session {
  return { id: 's', user, token: 't', connection: null, rooms: new Set(), graceTimer: null };
}

const gateway = new SessionGateway(config, sessions, identities, new IceService(config));
const connection = {} as Connection;

describe('hello: the identity in the ack', () => {
  it('gives a valid identity back as it came, signing nothing (one HMAC per reconnect, not two)', async () => {
    const identity = identities.sign('user-1');
    const sign = vi.spyOn(identities, 'sign');
    const ack = await gateway.hello({ protocol: 1, name: 'Ada', identity }, connection);
    expect(ack.userId).toBe('user-1');
    expect(ack.identity).toBe(identity);
    expect(sign).not.toHaveBeenCalled();
  });

  it('signs a new user’s identity, and one for a forged identity', async () => {
    const sign = vi.spyOn(identities, 'sign');
    const fresh = await gateway.hello({ protocol: 1, name: 'Ada' }, connection);
    expect(identities.verify(fresh.identity)).toBe(fresh.userId);
    const forged = await gateway.hello(
      { protocol: 1, name: 'Ada', identity: 'user-1.forged' },
      connection,
    );
    expect(forged.userId).not.toBe('user-1');
    expect(identities.verify(forged.identity)).toBe(forged.userId);
    expect(sign).toHaveBeenCalledTimes(2);
  });
});
