import { describe, expect, it } from 'vitest';
import { connectCall, createHarness, fakePc, snapshot, sleep, until } from './harness.js';

describe('ICE recovery', () => {
  it('connectionState failed: reconnecting, the impolite caller restarts ICE, connected again', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    const alicePc = fakePc(aliceCall);
    const bobPc = fakePc(bobCall);
    const startedAt = snapshot(aliceCall).startedAt;
    const offers = h.relay.eventsFrom('u-alice', 'call.offer').length;

    bobPc.setConnectionState('failed');
    expect(snapshot(bobCall).phase).toBe('reconnecting');
    await sleep(10);
    expect(bobPc.log).not.toContain('restartIce'); // the polite side waits

    alicePc.setConnectionState('failed');
    expect(snapshot(aliceCall).phase).toBe('reconnecting');
    expect(alicePc.log).toContain('restartIce');
    await until(
      () => h.relay.eventsFrom('u-alice', 'call.offer').length === offers + 1,
      'the restart offer',
    );
    const restartOffer = JSON.parse(
      String(h.relay.eventsFrom('u-alice', 'call.offer').at(-1)!.sdp),
    ) as { ufrag: string };
    expect(restartOffer.ufrag).not.toBe(alicePc.offersMade[0]!.ufrag);
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'reconnected',
    );
    expect(snapshot(aliceCall).startedAt).toBe(startedAt);
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('disconnected for longer than disconnectedTimeoutMs: restart; a short blip: none', async () => {
    const h = await createHarness({ disconnectedTimeoutMs: 30 });
    const { aliceCall } = await connectCall(h, false);
    const alicePc = fakePc(aliceCall);
    alicePc.setConnectionState('disconnected');
    expect(snapshot(aliceCall).phase).toBe('reconnecting');
    alicePc.setConnectionState('connected');
    await sleep(50);
    expect(alicePc.log).not.toContain('restartIce');
    expect(snapshot(aliceCall).phase).toBe('connected');

    alicePc.setConnectionState('disconnected');
    await until(() => alicePc.log.includes('restartIce'), 'the restart');
    await until(() => snapshot(aliceCall).phase === 'connected', 'reconnected');
  });

  it('gives up after maxIceRestarts failures: ends with failed and says bye', async () => {
    const h = await createHarness({ maxIceRestarts: 1 });
    const { aliceCall, bobCall } = await connectCall(h, false);
    const alicePc = fakePc(aliceCall);
    alicePc.setConnectionState('failed');
    alicePc.setConnectionState('failed');
    expect(snapshot(aliceCall)).toMatchObject({ phase: 'ended', endReason: 'failed' });
    await until(() => snapshot(bobCall).phase === 'ended', 'bob ended');
    expect(snapshot(bobCall).endReason).toBe('failed');
  });

  it('restarts ICE after the signalling connection resumed with the same user', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    const offers = h.relay.eventsFrom('u-bob', 'call.offer').length;
    h.relay.socketOf('u-bob').serverClose(1001, 'going away');
    expect(h.bob.client.state).toBe('reconnecting');
    await until(() => h.bob.client.state === 'ready', 'bob resumed');
    // Bob (polite) restarts too: its offer carries the restart.
    await until(() => fakePc(bobCall).log.includes('restartIce'), 'bob restarts ICE');
    await until(
      () => h.relay.eventsFrom('u-bob', 'call.offer').length === offers + 1,
      'the restart offer',
    );
    await until(() => fakePc(bobCall).signalingState === 'stable', 'renegotiated');
    expect(snapshot(aliceCall).phase).toBe('connected');
    expect(snapshot(bobCall).phase).toBe('connected');
  });

  it('refreshes TURN credentials that are about to expire before restarting', async () => {
    const h = await createHarness();
    const soon = Math.floor(Date.now() / 1000) + 10;
    h.relay.iceServers = [
      { urls: 'turn:127.0.0.1:3478', username: `${soon}:u-alice`, credential: 'x' },
    ];
    // Reconnect Alice so that her session carries these servers.
    h.relay.socketOf('u-alice').serverClose(1001);
    await until(() => h.alice.client.state === 'ready', 'alice resumed');
    const { aliceCall } = await connectCall(h, false);
    const later = Math.floor(Date.now() / 1000) + 3600;
    h.relay.iceServers = [
      { urls: 'turn:127.0.0.1:3478', username: `${later}:u-alice`, credential: 'y' },
    ];
    const alicePc = fakePc(aliceCall);
    alicePc.setConnectionState('failed');
    await until(() => alicePc.log.includes('restartIce'), 'the restart');
    expect(h.relay.eventsFrom('u-alice', 'ice.refresh')).toHaveLength(1);
    expect(alicePc.log.indexOf('setConfiguration')).toBeLessThan(alicePc.log.indexOf('restartIce'));
    expect(alicePc.configuration.iceServers).toEqual(h.relay.iceServers);
  });

  it('restarts ICE from the caller’s side too when its session resumed', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    const alicePc = fakePc(aliceCall);
    const firstUfrag = alicePc.offersMade[0]!.ufrag;
    h.relay.socketOf('u-alice').serverClose(1006);
    await until(() => h.alice.client.state === 'ready', 'alice resumed');
    expect(h.alice.client.session?.resumed).toBe(true);
    // The first offer went in the invite: this is the first call.offer.
    await until(
      () => h.relay.eventsFrom('u-alice', 'call.offer').length === 1,
      'the restart offer',
    );
    const restart = JSON.parse(String(h.relay.eventsFrom('u-alice', 'call.offer')[0]!.sdp)) as {
      ufrag: string;
    };
    expect(restart.ufrag).not.toBe(firstUfrag);
    await until(() => alicePc.signalingState === 'stable', 'renegotiated');
    expect(snapshot(aliceCall).phase).toBe('connected');
    expect(snapshot(bobCall).phase).toBe('connected');
  });

  it('a new session (the token expired), though the same user, has lost the call: it ends failed', async () => {
    const h = await createHarness();
    const { bobCall } = await connectCall(h, false);
    h.relay.expireSessions();
    h.relay.socketOf('u-bob').serverClose(1006);
    await until(() => h.bob.client.state === 'ready', 'bob back');
    expect(h.bob.client.session).toMatchObject({ userId: 'u-bob', resumed: false });
    expect(snapshot(bobCall)).toMatchObject({
      phase: 'ended',
      endReason: 'failed',
      error: { name: 'SessionLost' },
    });
    expect(fakePc(bobCall).log).not.toContain('restartIce');
  });
});
