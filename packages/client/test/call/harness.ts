import { afterEach } from 'vitest';
import type { DuplexClient } from '../../src/duplex-client.js';
import {
  CallManager,
  type CallManagerOptions,
  type CallSession,
  type CallSnapshot,
} from '../../src/call/index.js';
import { createFakeGetUserMedia, FakeStream, type FakeGetUserMedia } from './fake-media.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { SignallingRelay } from './signalling-relay.js';

/** Waits (real time) until `predicate` holds. */
export async function until(
  predicate: () => boolean,
  what = 'the condition',
  timeoutMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export interface Party {
  client: DuplexClient;
  manager: CallManager;
  getUserMedia: FakeGetUserMedia;
  errors: unknown[];
}

export interface Harness {
  relay: SignallingRelay;
  alice: Party;
  bob: Party;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  FakePeerConnection.reset();
});

/**
 * Alice (u-alice) and Bob (u-bob), each with a client and a CallManager, over `relay`; their
 * clients are connecting. Works under fake timers too (then advance them until both are ready).
 */
export function createParties(
  relay: SignallingRelay,
  options: Partial<CallManagerOptions> = {},
): { alice: Party; bob: Party } {
  const party = (name: string): Party => {
    const client = relay.client(name);
    const getUserMedia = createFakeGetUserMedia();
    const errors: unknown[] = [];
    const manager = new CallManager(client, {
      RTCPeerConnection: FakePeerConnection,
      getUserMedia,
      MediaStream: FakeStream,
      rtcConfig: { iceTransportPolicy: 'relay' },
      statsIntervalMs: 0,
      endedCallRetentionMs: 40,
      disconnectedTimeoutMs: 20,
      onError: (error) => errors.push(error),
      ...options,
    });
    cleanups.push(() => {
      manager.dispose();
      client.close();
    });
    return { client, manager, getUserMedia, errors };
  };
  const alice = party('Alice');
  const bob = party('Bob');
  cleanups.push(() => {
    // Whatever the test did, the clients wrote only frames the protocol allows.
    if (relay.refused.length > 0)
      throw new Error(`frames refused by the relay: ${JSON.stringify(relay.refused)}`);
  });
  return { alice, bob };
}

/** {@link createParties} over a new relay, once both clients are ready. */
export async function createHarness(options: Partial<CallManagerOptions> = {}): Promise<Harness> {
  const relay = new SignallingRelay();
  const { alice, bob } = createParties(relay, options);
  await until(
    () => alice.client.state === 'ready' && bob.client.state === 'ready',
    'both clients ready',
  );
  return { relay, alice, bob };
}

export function snapshot(session: CallSession | null | undefined): CallSnapshot {
  if (!session) throw new Error('no call');
  return session.getSnapshot();
}

export function fakePc(session: CallSession): FakePeerConnection {
  const pc = session.getPeerConnection();
  if (!(pc instanceof FakePeerConnection)) throw new Error('no peer connection');
  return pc;
}

/** Bob's incoming call, once Alice's invite has reached him. */
export async function bobRinging(h: Harness): Promise<CallSession> {
  await until(() => h.bob.manager.current !== null, 'bob rung');
  return h.bob.manager.current!;
}

/** Alice calls Bob, Bob accepts, both reach `connected`. */
export async function connectCall(
  h: Harness,
  video: boolean,
): Promise<{ aliceCall: CallSession; bobCall: CallSession }> {
  const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video });
  await until(() => h.bob.manager.current?.getSnapshot().phase === 'ringing-in', 'the invite');
  const bobCall = h.bob.manager.current as CallSession;
  await bobCall.accept();
  await until(
    () =>
      aliceCall.getSnapshot().phase === 'connected' && bobCall.getSnapshot().phase === 'connected',
    'both connected',
  );
  return { aliceCall, bobCall };
}
