import { describe, expect, it } from 'vitest';
import { RequestError } from '../../src/errors.js';
import { CallManager, CallMediaError } from '../../src/call/index.js';
import { createFakeGetUserMedia } from './fake-media.js';
import type { RtcConfigurationLike } from '../../src/call/rtc-types.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { bobRinging, connectCall, createHarness, fakePc, snapshot, until } from './harness.js';

describe('a call from invite to connected', () => {
  it('rings with the caller’s offer, accepts with the callee’s answer and connects', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });

    expect(h.alice.getUserMedia.calls).toEqual([{ audio: true, video: true }]);
    expect(h.alice.manager.current).toBe(aliceCall);
    expect(snapshot(aliceCall)).toMatchObject({
      phase: 'ringing-out',
      role: 'caller',
      room: 'lobby',
      video: true,
      peer: { userId: 'u-bob' },
      endReason: null,
    });
    expect(snapshot(aliceCall).localStream).toBe(h.alice.getUserMedia.streams[0]);
    const alicePc = fakePc(aliceCall);
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    expect(invite).toEqual({
      callId: aliceCall.callId,
      to: 'u-bob',
      room: 'lobby',
      video: true,
      sdp: alicePc.localDescription?.sdp,
    });
    expect(alicePc.localDescription?.type).toBe('offer');
    expect(aliceCall.callId).toMatch(/^[0-9a-f-]{36}$/);

    await until(() => h.bob.manager.current !== null, 'the invite');
    const bobCall = h.bob.manager.current!;
    expect(bobCall.callId).toBe(aliceCall.callId);
    expect(snapshot(bobCall)).toMatchObject({
      phase: 'ringing-in',
      role: 'callee',
      video: true,
      peer: { userId: 'u-alice', name: 'Alice' },
      localStream: null,
    });
    // Made while ringing, once the prompt had its turn: the invite's offer applied, not answered.
    await until(
      () => bobCall.getPeerConnection()?.signalingState === 'have-remote-offer',
      'the invite’s offer applied',
    );
    expect(fakePc(bobCall).log).toEqual(['setRemoteDescription:offer']);
    expect(h.bob.getUserMedia.calls).toEqual([]);

    await bobCall.accept();
    expect(h.bob.getUserMedia.calls).toEqual([{ audio: true, video: true }]);
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'both connected',
    );

    // Alice (caller, impolite) offered in the invite; Bob (callee, polite) answered in the accept.
    const bobPc = fakePc(bobCall);
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([
      { callId: aliceCall.callId, sdp: bobPc.localDescription?.sdp },
    ]);
    expect(bobPc.localDescription?.type).toBe('answer');
    for (const event of ['call.offer', 'call.answer'])
      expect(h.relay.received.filter((entry) => entry.event === event)).toEqual([]);
    expect(h.relay.eventsFrom('u-alice', 'call.accept')).toHaveLength(0);
    const order = h.relay.received.map((entry) => `${entry.from}:${entry.event}`);
    expect(order.indexOf('u-bob:call.accept')).toBeLessThan(
      order.indexOf('u-alice:call.candidate'),
    );
    expect(order.indexOf('u-bob:call.accept')).toBeLessThan(order.indexOf('u-bob:call.candidate'));

    expect(alicePc.configuration).toEqual({
      iceServers: h.relay.iceServers,
      iceCandidatePoolSize: 1,
      iceTransportPolicy: 'relay',
    });
    // Alice's offer is made on sending transceivers; her tracks are put on their senders.
    expect(alicePc.log.slice(0, 2)).toEqual(['addTransceiver:audio', 'addTransceiver:video']);
    expect(alicePc.log).toEqual(
      expect.arrayContaining([
        'replaceTrack:audio',
        'replaceTrack:video',
        'setLocalDescription:offer',
        'setRemoteDescription:answer',
      ]),
    );
    expect(alicePc.log.filter((entry) => entry.startsWith('addTrack'))).toEqual([]);
    // Bob answers on the transceivers of Alice's offer, sending both ways; no offer of his own.
    const bobSteps = bobPc.log.filter((entry) => entry.includes('Description'));
    expect(bobSteps.slice(0, 2)).toEqual([
      'setRemoteDescription:offer',
      'setLocalDescription:answer',
    ]);
    expect(bobPc.offersMade).toEqual([]);
    expect(bobPc.log.filter((entry) => entry.startsWith('addTrack'))).toEqual([]);
    expect(bobPc.getTransceivers().map((t) => t.currentDirection)).toEqual([
      'sendrecv',
      'sendrecv',
    ]);
    expect(alicePc.sendingKinds.sort()).toEqual(['audio', 'video']);
    expect(bobPc.sendingKinds.sort()).toEqual(['audio', 'video']);
    // Each side's audio and video name one stream, so the peer plays them in sync.
    for (const pc of [alicePc, bobPc]) {
      const named = pc.getSenders().map((sender) => sender.streams);
      expect(named.every((streams) => streams.length === 1)).toBe(true);
      expect(new Set(named.map(([stream]) => stream)).size).toBe(1);
    }

    // Candidates both ways, ending with end-of-candidates (null).
    expect(h.relay.eventsFrom('u-alice', 'call.candidate').map((data) => data.candidate)).toEqual([
      expect.objectContaining({
        candidate: expect.stringContaining('typ host'),
        sdpMid: '0',
        sdpMLineIndex: 0,
      }),
      null,
    ]);
    await until(
      () => alicePc.addedCandidates.length === 2 && bobPc.addedCandidates.length === 2,
      'candidates added',
    );
    expect(bobPc.addedCandidates.at(-1)).toBeNull();

    for (const [call, pc] of [
      [aliceCall, alicePc],
      [bobCall, bobPc],
    ] as const) {
      const state = snapshot(call);
      expect(state.remoteStream).toBe(pc.remoteStream);
      expect(
        state.remoteStream
          ?.getTracks()
          .map((track) => track.kind)
          .sort(),
      ).toEqual(['audio', 'video']);
      expect(state.remoteVideo).toBe(true);
      expect(state.startedAt).toEqual(expect.any(Number));
    }
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('keeps a snapshot identical until something changes', async () => {
    const h = await createHarness();
    const { aliceCall } = await connectCall(h, false);
    const before = aliceCall.getSnapshot();
    expect(aliceCall.getSnapshot()).toBe(before);
    expect(Object.isFrozen(before)).toBe(true);
    aliceCall.setMuted(false);
    expect(aliceCall.getSnapshot()).toBe(before);
    aliceCall.setMuted(true);
    expect(aliceCall.getSnapshot()).not.toBe(before);
    expect(before.muted).toBe(false);
  });

  it('notifies manager subscribers when a call arrives, and clears an ended call after the retention delay', async () => {
    const h = await createHarness();
    let changes = 0;
    h.bob.manager.subscribe(() => changes++);
    const aliceCall = await h.alice.manager.call({ userId: 'u-bob', name: 'Bob' }, 'lobby', {
      video: false,
    });
    await until(() => h.bob.manager.getSnapshot() !== null, 'the invite');
    expect(changes).toBe(1);
    await aliceCall.hangUp();
    await until(() => snapshot(h.bob.manager.current).phase === 'ended', 'the bye');
    expect(h.bob.manager.current).not.toBeNull(); // still shown, with its reason
    await until(() => h.bob.manager.current === null, 'the ended call cleared');
    expect(changes).toBe(2);
    expect(h.alice.manager.current).toBeNull();
  });
});

describe('call() failures', () => {
  it('rejects with the RequestError (busy) and leaves no session', async () => {
    const h = await createHarness();
    const carol = h.relay.client('Carol');
    await until(() => carol.state === 'ready', 'carol ready');
    await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const getUserMedia = createFakeGetUserMedia();
    const carolCalls = new CallManager(carol, {
      RTCPeerConnection: FakePeerConnection,
      getUserMedia,
      statsIntervalMs: 0,
    });
    try {
      const error = await carolCalls
        .call('u-bob', 'lobby', { video: false })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RequestError);
      expect(error).toMatchObject({ code: 'busy' });
      expect(carolCalls.current).toBeNull();
      expect(
        getUserMedia.streams[0]?.getTracks().every((track) => track.readyState === 'ended'),
      ).toBe(true);
    } finally {
      carolCalls.dispose();
      carol.close();
    }
  });

  it('rejects with peer_unavailable for an unknown user', async () => {
    const h = await createHarness();
    await expect(h.alice.manager.call('u-nobody', 'lobby', { video: true })).rejects.toMatchObject({
      code: 'peer_unavailable',
    });
    expect(h.alice.manager.current).toBeNull();
    expect(h.alice.getUserMedia.streams[0]?.getTracks().map((track) => track.readyState)).toEqual([
      'ended',
      'ended',
    ]);
  });

  it('surfaces a camera permission error before ringing: CallMediaError, no invite sent', async () => {
    const h = await createHarness();
    h.alice.getUserMedia.failNext('NotAllowedError', 'Permission denied');
    const error = await h.alice.manager
      .call('u-bob', 'lobby', { video: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallMediaError);
    expect(error).toMatchObject({
      reason: 'media-error',
      mediaError: { name: 'NotAllowedError', message: 'Permission denied' },
    });
    expect(h.relay.eventsFrom('u-alice', 'call.invite')).toEqual([]);
    expect(h.alice.manager.current).toBeNull();
  });

  it('a peer connection the browser refuses: call() rejects and nobody is rung', async () => {
    let refuse = true;
    class RefusingPeerConnection extends FakePeerConnection {
      constructor(configuration?: RtcConfigurationLike) {
        if (refuse) {
          refuse = false;
          throw Object.assign(new Error('bad ICE server URL'), { name: 'SyntaxError' });
        }
        super(configuration);
      }
    }
    const h = await createHarness({ RTCPeerConnection: RefusingPeerConnection });
    const error = await h.alice.manager
      .call('u-bob', 'lobby', { video: true })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'SyntaxError', message: 'bad ICE server URL' });
    expect(h.alice.manager.current).toBeNull();
    await h.alice.client.request('ping', {}); // barrier: all alice sent is at the relay
    expect(h.relay.received.filter((entry) => entry.event.startsWith('call.'))).toEqual([]);
    expect(h.bob.manager.current).toBeNull();
    expect(
      h.alice.getUserMedia.streams[0]?.getTracks().every((t) => t.readyState === 'ended'),
    ).toBe(true);
  });

  it('refuses a second call while one is live', async () => {
    const h = await createHarness();
    await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await expect(h.alice.manager.call('u-bob', 'lobby', { video: false })).rejects.toThrow(
      'Already in a call',
    );
  });
});

describe('the caller prepares while the phone rings', () => {
  it('makes its offer before the invite and rings with it; its candidates wait for the accept', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const alicePc = fakePc(aliceCall);
    expect(alicePc.signalingState).toBe('have-local-offer');
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    expect(invite?.sdp).toBe(alicePc.localDescription?.sdp);
    await until(() => alicePc.gathered === 1, 'the candidates gathered');
    await h.alice.client.request('ping', {}); // barrier: all alice sent is at the relay
    expect(snapshot(aliceCall).phase).toBe('ringing-out');
    expect(h.relay.eventsFrom('u-alice', 'call.candidate')).toEqual([]);

    await (await bobRinging(h)).accept();
    await until(() => snapshot(aliceCall).phase === 'connected', 'connected');
    const order = h.relay.received.map((entry) => `${entry.from}:${entry.event}`);
    expect(order.filter((entry) => entry === 'u-alice:call.candidate')).toHaveLength(2);
    expect(order.indexOf('u-alice:call.candidate')).toBeGreaterThan(
      order.indexOf('u-bob:call.accept'),
    );
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
    expect(alicePc.offersMade).toHaveLength(1);
  });

  it('an accept without the answer (the invite’s offer dropped by a server of revision 1): the same offer goes out as call.offer right after it', async () => {
    const h = await createHarness();
    h.relay.offersInInvites = false;
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const bobCall = await bobRinging(h);
    await bobCall.accept();
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([{ callId: aliceCall.callId }]);
    await until(() => h.relay.eventsFrom('u-alice', 'call.offer').length === 1, 'the offer sent');
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    const [offer] = h.relay.eventsFrom('u-alice', 'call.offer');
    expect(offer).toEqual({ callId: aliceCall.callId, sdp: invite?.sdp });
    const order = h.relay.received.map((entry) => `${entry.from}:${entry.event}`);
    expect(order.indexOf('u-alice:call.offer')).toBeLessThan(
      order.indexOf('u-alice:call.candidate'),
    );
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    expect(h.relay.eventsFrom('u-bob', 'call.answer')).toHaveLength(1);
    expect(fakePc(aliceCall).offersMade).toHaveLength(1);
  });
});
