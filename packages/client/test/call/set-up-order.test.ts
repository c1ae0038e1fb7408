import { describe, expect, it } from 'vitest';
import type { CallSession } from '../../src/call/index.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { bobRinging, createHarness, fakePc, snapshot, until } from './harness.js';

const allowed = { mediaPermitted: async () => true };

/** Frames of `event` that `userId`'s socket has written so far. */
function written(h: Awaited<ReturnType<typeof createHarness>>, userId: string, event: string) {
  return h.relay.socketOf(userId).sent.filter((text) => text.includes(`"event":"${event}"`)).length;
}

describe('call set-up: nothing on the way waits for what can come later', () => {
  it('the caller starts its offer at once, not when the negotiationneeded task runs, and makes one', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const alicePc = fakePc(aliceCall);
    expect(alicePc.started[0]).toBe('setLocalDescription');
    const bobCall = await bobRinging(h);
    await bobCall.accept();
    await until(() => snapshot(aliceCall).phase === 'connected', 'connected');
    expect(alicePc.offersMade).toHaveLength(1);
    expect(h.relay.eventsFrom('u-alice', 'call.invite')[0]?.sdp).toBe(
      JSON.stringify(alicePc.offersMade[0]),
    );
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
    expect(h.alice.errors).toEqual([]);
  });

  it('the callee’s prompt comes before its peer connection is built; an accept on the prompt of an invite without an offer goes out before it', async () => {
    let acceptsWrittenWhenBuilt: number | null = null;
    let h: Awaited<ReturnType<typeof createHarness>> | null = null;
    class RecordingPeerConnection extends FakePeerConnection {
      constructor(...args: ConstructorParameters<typeof FakePeerConnection>) {
        super(...args);
        if (h && FakePeerConnection.instances.length === 2)
          acceptsWrittenWhenBuilt = written(h, 'u-bob', 'call.accept');
      }
    }
    h = await createHarness({ ...allowed, RTCPeerConnection: RecordingPeerConnection });
    h.relay.offersInInvites = false; // as a server of revision 1: no answer for the accept to carry
    let accepting: Promise<void> | null = null;
    let pcWhenRung: unknown = 'not rung';
    h.bob.manager.subscribe(() => {
      const call = h!.bob.manager.current;
      if (!call || accepting) return;
      pcWhenRung = call.getPeerConnection();
      accepting = call.accept(); // as a user clicking Accept the moment the prompt shows
    });
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    await until(() => accepting !== null, 'bob rung');
    await accepting;
    expect(pcWhenRung).toBeNull();
    expect(acceptsWrittenWhenBuilt).toBe(1);
    await until(() => snapshot(aliceCall).phase === 'connected', 'connected');
  });

  it('a callee left ringing builds its peer connection meanwhile', async () => {
    const h = await createHarness(allowed);
    await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    await until(() => bobCall.getPeerConnection() !== null, 'bob’s peer connection');
    expect(snapshot(bobCall).phase).toBe('ringing-in');
    expect(FakePeerConnection.instances).toHaveLength(2);
    await bobCall.accept();
    expect(FakePeerConnection.instances).toHaveLength(2); // the same one answers
  });

  it('while the callee answers, the remote tracks reach the UI and its own tracks the senders only after the answer is out', async () => {
    const h = await createHarness(allowed);
    h.relay.offersInInvites = false; // the offer comes as call.offer, after the accept
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall: CallSession = await bobRinging(h);
    // Bob's camera is open before Alice's offer arrives.
    h.relay.holdIf = (event, _data, to) => to === 'u-bob' && event === 'call.offer';
    await bobCall.accept();
    await until(() => h.relay.held.length === 1, 'the offer held');
    expect(snapshot(bobCall).localStream).not.toBeNull();

    let answersWhenRemoteShown: number | null = null;
    bobCall.subscribe(() => {
      if (answersWhenRemoteShown === null && snapshot(bobCall).remoteStream !== null)
        answersWhenRemoteShown = written(h, 'u-bob', 'call.answer');
    });
    h.relay.release();
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    expect(answersWhenRemoteShown).toBe(1);
    const log = fakePc(bobCall).log;
    expect(log.indexOf('replaceTrack:audio')).toBeGreaterThan(
      log.indexOf('setLocalDescription:answer'),
    );
    expect(log.indexOf('replaceTrack:video')).toBeGreaterThan(
      log.indexOf('setLocalDescription:answer'),
    );
    expect(fakePc(bobCall).sendingKinds.sort()).toEqual(['audio', 'video']);
    await until(() => snapshot(aliceCall).remoteVideo, 'alice receives bob’s camera');
  });

  it('answering the invite’s offer as it accepts: the remote tracks reach the UI and its own tracks the senders only after the accept carrying the answer is out', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall: CallSession = await bobRinging(h);
    await until(
      () => bobCall.getPeerConnection()?.signalingState === 'have-remote-offer',
      'the invite’s offer applied',
    );
    expect(snapshot(bobCall).remoteStream).toBeNull();
    const bobPc = fakePc(bobCall);

    let acceptsWhenRemoteShown: number | null = null;
    bobCall.subscribe(() => {
      if (acceptsWhenRemoteShown === null && snapshot(bobCall).remoteStream !== null)
        acceptsWhenRemoteShown = written(h, 'u-bob', 'call.accept');
    });
    // The offer's transceivers are the ones Bob sends on: when are his tracks put in?
    const acceptsWhenTracksPut: number[] = [];
    for (const { sender } of bobPc.getTransceivers()) {
      const replaceTrack = sender.replaceTrack.bind(sender);
      sender.replaceTrack = (track) => {
        acceptsWhenTracksPut.push(written(h, 'u-bob', 'call.accept'));
        return replaceTrack(track);
      };
    }
    await bobCall.accept();
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    expect(acceptsWhenRemoteShown).toBe(1);
    expect(acceptsWhenTracksPut).toEqual([1, 1]);
    expect(bobPc.log.indexOf('replaceTrack:audio')).toBeGreaterThan(
      bobPc.log.indexOf('setLocalDescription:answer'),
    );
    expect(bobPc.sendingKinds.sort()).toEqual(['audio', 'video']);
    await until(() => snapshot(aliceCall).remoteVideo, 'alice receives bob’s camera');
  });
});
