import { CallEndReason, DEFAULT_TIMEOUTS } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallEndState, type CallSession } from '../../src/call/index.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { createParties, fakePc, snapshot, type Party } from './harness.js';
import { SignallingRelay } from './signalling-relay.js';

/** A peer connection that can be kept from reaching `connected` (media that never flow). */
class StuckPeerConnection extends FakePeerConnection {
  static stuckFromStart = false;
  stuck = StuckPeerConnection.stuckFromStart;

  override setConnectionState(state: FakePeerConnection['connectionState']): void {
    if (this.stuck && state === 'connected') return;
    super.setConnectionState(state);
  }
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
  StuckPeerConnection.stuckFromStart = false;
});
afterEach(() => {
  vi.useRealTimers();
});

/** The protocol's default timeouts: no timeout options given. */
async function parties(): Promise<{ relay: SignallingRelay; alice: Party; bob: Party }> {
  const relay = new SignallingRelay();
  const { alice, bob } = createParties(relay, { RTCPeerConnection: StuckPeerConnection });
  await advance(20);
  expect([alice.client.state, bob.client.state]).toEqual(['ready', 'ready']);
  return { relay, alice, bob };
}

async function acceptedCall(
  alice: Party,
  bob: Party,
): Promise<{ aliceCall: CallSession; bobCall: CallSession }> {
  const calling = alice.manager.call('u-bob', 'lobby', { video: false });
  await advance(20);
  const aliceCall = await calling;
  const bobCall = bob.manager.current!;
  let accepted = false;
  const accepting = bobCall.accept().finally(() => {
    accepted = true;
  });
  // The answer to the invite's offer, the accept and its ack, a millisecond at a time: the
  // media need at least 5 ms to connect.
  for (let ms = 0; ms < 5 && !accepted; ms++) await advance(1);
  await accepting;
  return { aliceCall, bobCall };
}

describe('media that never connect', () => {
  it(`end the call ${DEFAULT_TIMEOUTS.mediaConnectTimeoutMs} ms after the accept: call.bye reason failed, end state media-timeout`, async () => {
    StuckPeerConnection.stuckFromStart = true;
    const { relay, alice, bob } = await parties();
    const { aliceCall, bobCall } = await acceptedCall(alice, bob);
    await advance(DEFAULT_TIMEOUTS.mediaConnectTimeoutMs - 100);
    expect(snapshot(bobCall).phase).toBe('connecting');
    expect(snapshot(aliceCall).phase).toBe('connecting');
    expect(relay.eventsFrom('u-bob', 'call.bye')).toEqual([]);

    await advance(100);
    expect(snapshot(bobCall)).toMatchObject({
      phase: 'ended',
      endReason: CallEndState.MediaTimeout,
    });
    expect(relay.eventsFrom('u-bob', 'call.bye')).toEqual([
      { callId: bobCall.callId, reason: CallEndReason.Failed },
    ]);
    expect(snapshot(aliceCall).phase).toBe('ended');
    expect(fakePc(bobCall).closed).toBe(true);
  });

  it('a call whose media connected is not ended by the timeout', async () => {
    const { alice, bob } = await parties();
    const { aliceCall, bobCall } = await acceptedCall(alice, bob);
    await advance(50);
    expect(snapshot(bobCall).phase).toBe('connected');
    // Lost later, it is ICE recovery's business, not the set-up timeout's.
    fakePc(aliceCall).setConnectionState('disconnected');
    await advance(DEFAULT_TIMEOUTS.mediaConnectTimeoutMs);
    expect(snapshot(aliceCall).phase).not.toBe('ended');
    expect(snapshot(bobCall).phase).toBe('connected');
  });
});

describe('ICE restart after a failed connection', () => {
  it(`the callee restarts itself when no new offer came within ${DEFAULT_TIMEOUTS.calleeIceRestartWaitMs} ms`, async () => {
    const { relay, alice, bob } = await parties();
    const { bobCall } = await acceptedCall(alice, bob);
    await advance(50);
    const bobPc = fakePc(bobCall);
    expect(bobPc.connectionState).toBe('connected');

    bobPc.setConnectionState('failed'); // only bob's side noticed
    await advance(DEFAULT_TIMEOUTS.calleeIceRestartWaitMs - 1);
    expect(bobPc.log).not.toContain('restartIce');
    expect(relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);

    await advance(1);
    expect(bobPc.log).toContain('restartIce');
    await advance(50);
    expect(relay.eventsFrom('u-bob', 'call.offer')).toHaveLength(1);
    expect(snapshot(bobCall).phase).toBe('connected');
  });

  it('the callee does not restart when the caller’s restart offer came in time', async () => {
    const { relay, alice, bob } = await parties();
    const { aliceCall, bobCall } = await acceptedCall(alice, bob);
    await advance(50);
    const bobPc = fakePc(bobCall) as StuckPeerConnection;
    bobPc.stuck = true; // the caller's restart does not bring the media back for a while
    fakePc(aliceCall).setConnectionState('failed');
    bobPc.setConnectionState('failed');
    expect(fakePc(aliceCall).log).toContain('restartIce'); // the caller at once
    await advance(DEFAULT_TIMEOUTS.calleeIceRestartWaitMs * 2);
    // The first offer and its answer went in the invite and the accept: these are the restart's.
    expect(relay.eventsFrom('u-alice', 'call.offer')).toHaveLength(1);
    expect(relay.eventsFrom('u-bob', 'call.answer')).toHaveLength(1);
    expect(bobPc.log).not.toContain('restartIce');
    expect(relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
  });
});
