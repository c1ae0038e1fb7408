import { describe, expect, it } from 'vitest';
import { PerfectNegotiation } from '../../src/call/perfect-negotiation.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { connectCall, createHarness, fakePc, snapshot, until } from './harness.js';

describe('perfect negotiation', () => {
  it('queues remote candidates that arrive before the remote description, and adds them after the answer', async () => {
    const h = await createHarness();
    // The invite's offer dropped (as by a server of revision 1): Alice's comes as call.offer.
    h.relay.offersInInvites = false;
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await until(() => h.bob.manager.current !== null, 'the invite');
    const bobCall = h.bob.manager.current!;
    // Hold Alice's offer at the relay: her candidates reach Bob first.
    h.relay.holdIf = (event, _data, to) => to === 'u-bob' && event === 'call.offer';
    await bobCall.accept();
    await until(() => h.relay.held.length === 1, 'the offer held');
    await until(
      () =>
        h.relay.delivered.filter((d) => d.to === 'u-bob' && d.event === 'call.candidate').length ===
        2,
      'candidates delivered',
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    const bobPc = fakePc(bobCall);
    expect(bobPc.remoteDescription).toBeNull();
    expect(bobPc.log).not.toContain('addIceCandidate');
    expect(h.bob.errors).toEqual([]); // nothing was tried, so nothing failed

    h.relay.release();
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    // Added once the answer is out, not ahead of it.
    const firstCandidate = bobPc.log.indexOf('addIceCandidate');
    expect(firstCandidate).toBeGreaterThan(bobPc.log.indexOf('setLocalDescription:answer'));
    expect(bobPc.addedCandidates[0]).toMatchObject({
      candidate: expect.stringContaining(`candidate:${fakePc(aliceCall).id} `),
    });
    expect(bobPc.addedCandidates[1]).toBeNull();
    expect(h.bob.errors).toEqual([]);
  });

  it('resolves glare: both turn video on at once, the polite callee rolls back and answers, the impolite caller ignores', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    const alicePc = fakePc(aliceCall);
    const bobPc = fakePc(bobCall);
    expect(snapshot(aliceCall).remoteVideo).toBe(false);

    // Both offers are in flight before either arrives.
    h.relay.holdIf = (event) => event === 'call.offer';
    await Promise.all([aliceCall.setVideo(true), bobCall.setVideo(true)]);
    await until(() => h.relay.held.length === 2, 'both offers held');
    expect(alicePc.signalingState).toBe('have-local-offer');
    expect(bobPc.signalingState).toBe('have-local-offer');
    h.relay.release();

    await until(
      () => snapshot(aliceCall).remoteVideo && snapshot(bobCall).remoteVideo,
      'video both ways',
    );
    await until(
      () => alicePc.signalingState === 'stable' && bobPc.signalingState === 'stable',
      'stable',
    );
    expect(bobPc.log).toContain('implicit-rollback'); // polite: gave way
    expect(alicePc.log).not.toContain('implicit-rollback');
    expect(alicePc.log.filter((entry) => entry === 'setRemoteDescription:offer')).toEqual([]); // impolite: ignored
    expect(alicePc.sendingKinds.sort()).toEqual(['audio', 'video']);
    expect(bobPc.sendingKinds.sort()).toEqual(['audio', 'video']);
    expect(snapshot(aliceCall)).toMatchObject({ phase: 'connected', video: true });
    expect(snapshot(bobCall)).toMatchObject({ phase: 'connected', video: true });
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('renegotiates when one side adds video to an audio-only call (the polite side offers too)', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    await bobCall.setVideo(true);
    expect(h.bob.getUserMedia.calls.at(-1)).toEqual({ audio: false, video: true });
    await until(() => snapshot(aliceCall).remoteVideo, 'alice sees bob');
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toHaveLength(1);
    await until(
      () =>
        fakePc(bobCall).signalingState === 'stable' && fakePc(bobCall).sendingKinds.length === 2,
      'negotiated',
    );
    expect(h.relay.eventsFrom('u-alice', 'call.answer')).toHaveLength(1);
    expect(snapshot(bobCall).localStream?.getVideoTracks()).toHaveLength(1);
    expect(snapshot(bobCall).remoteVideo).toBe(false);
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('ignores a stray answer in stable without breaking the call', async () => {
    const h = await createHarness();
    const { aliceCall } = await connectCall(h, false);
    const accept = h.relay.eventsFrom('u-bob', 'call.accept')[0]!; // it carried the answer
    h.relay.deliver('u-alice', 'call.answer', {
      callId: accept.callId,
      sdp: accept.sdp,
      from: { userId: 'u-bob', name: 'Bob' },
    });
    await until(() => h.alice.errors.length === 1, 'the error reported');
    expect(h.alice.errors[0]).toMatchObject({ name: 'InvalidStateError' });
    expect(snapshot(aliceCall).phase).toBe('connected');
  });

  it('never sends a candidate with neither sdpMid nor sdpMLineIndex, and ignores one received', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    const alicePc = fakePc(aliceCall);
    const bobPc = fakePc(bobCall);
    await until(
      () => alicePc.addedCandidates.length === 2 && bobPc.addedCandidates.length === 2,
      'the first candidates added',
    );
    const sentBefore = h.relay.eventsFrom('u-alice', 'call.candidate').length;

    const unplaced = { candidate: 'candidate:9 1 udp 1 127.0.0.1 9 typ host' };
    alicePc.onicecandidate?.({
      candidate: { toJSON: () => ({ ...unplaced, sdpMid: null, sdpMLineIndex: null }) },
    });
    alicePc.onicecandidate?.({
      candidate: { toJSON: () => ({ ...unplaced, sdpMid: '0', sdpMLineIndex: null }) },
    });
    await h.alice.client.request('ping', {});
    expect(h.relay.eventsFrom('u-alice', 'call.candidate').slice(sentBefore)).toEqual([
      { callId: aliceCall.callId, candidate: { ...unplaced, sdpMid: '0', sdpMLineIndex: null } },
    ]);

    // A server (or peer) that sends one anyway: ignored, not an addIceCandidate failure.
    h.relay.deliver('u-alice', 'call.candidate', {
      callId: aliceCall.callId,
      from: { userId: 'u-bob', name: 'Bob' },
      candidate: unplaced,
    });
    await h.alice.client.request('ping', {});
    expect(alicePc.addedCandidates).toHaveLength(2);
    await until(() => bobPc.addedCandidates.length === 3, 'the placed candidate added');
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
    expect(snapshot(aliceCall).phase).toBe('connected');
  });

  it('a received candidate with neither sdpMid nor sdpMLineIndex is skipped before addIceCandidate', async () => {
    const remote = new FakePeerConnection();
    remote.addTransceiver('audio');
    await remote.setLocalDescription();
    const pc = new FakePeerConnection();
    const errors: unknown[] = [];
    const negotiation = new PerfectNegotiation(pc, {
      polite: true,
      awaitFirstOffer: true,
      signals: { offer: () => {}, answer: () => {}, candidate: () => {} },
      onError: (error) => errors.push(error),
    });
    await negotiation.handleOffer(remote.localDescription!.sdp);
    const placed = { candidate: 'candidate:2 1 udp 1 127.0.0.1 2 typ host', sdpMLineIndex: 0 };
    await negotiation.handleCandidate({ candidate: 'candidate:1 1 udp 1 127.0.0.1 1 typ host' });
    await negotiation.handleCandidate(placed);
    expect(pc.addedCandidates).toEqual([placed]);
    expect(errors).toEqual([]);
    negotiation.dispose();
  });
});
