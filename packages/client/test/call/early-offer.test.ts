import { describe, expect, it } from 'vitest';
import type { CallSession } from '../../src/call/index.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { bobRinging, createHarness, fakePc, snapshot, until, type Harness } from './harness.js';

const allowed = { mediaPermitted: async () => true };

/** The events `userId`'s socket has written so far, in order (`call.*` only). */
function callFramesWritten(h: Harness, userId: string): string[] {
  return h.relay
    .socketOf(userId)
    .frames.map((frame) => frame.event)
    .filter((event) => event.startsWith('call.'));
}

/** Bob's call once Alice's offer, rung with the invite, has been applied to his connection. */
async function ringingWithTheOffer(h: Harness): Promise<CallSession> {
  const bobCall = await bobRinging(h);
  await until(
    () => bobCall.getPeerConnection()?.signalingState === 'have-remote-offer',
    'the invite’s offer applied',
  );
  return bobCall;
}

async function bothConnected(aliceCall: CallSession, bobCall: CallSession): Promise<void> {
  await until(
    () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
    'both connected',
  );
}

describe('the first offer rings with the invite and is answered in the accept', () => {
  it('client to client: the invite carries the offer, the accept the answer; no call.offer or call.answer, both connect', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const alicePc = fakePc(aliceCall);
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    expect(alicePc.localDescription?.type).toBe('offer');
    expect(invite?.sdp).toBe(alicePc.localDescription?.sdp);
    const bobCall = await bobRinging(h);
    expect(h.relay.delivered.find((d) => d.event === 'call.invite')).toMatchObject({
      to: 'u-bob',
      data: { callId: aliceCall.callId, sdp: invite?.sdp },
    });

    // What each side had written when both were connected.
    let framesWhenConnected: string[] | null = null;
    const record = (): void => {
      if (framesWhenConnected !== null) return;
      if (snapshot(aliceCall).phase !== 'connected' || snapshot(bobCall).phase !== 'connected')
        return;
      framesWhenConnected = [...callFramesWritten(h, 'u-alice'), ...callFramesWritten(h, 'u-bob')];
    };
    aliceCall.subscribe(record);
    bobCall.subscribe(record);
    await bobCall.accept();
    await bothConnected(aliceCall, bobCall);
    expect(framesWhenConnected).toEqual(expect.arrayContaining(['call.invite', 'call.accept']));
    expect(framesWhenConnected).not.toContain('call.offer');
    expect(framesWhenConnected).not.toContain('call.answer');

    const bobPc = fakePc(bobCall);
    expect(bobPc.localDescription?.type).toBe('answer');
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([
      { callId: aliceCall.callId, sdp: bobPc.localDescription?.sdp },
    ]);
    expect(h.relay.delivered.find((d) => d.event === 'call.accept')).toMatchObject({
      to: 'u-alice',
      data: { callId: aliceCall.callId, sdp: bobPc.localDescription?.sdp },
    });
    expect(alicePc.remoteDescription).toEqual(bobPc.localDescription);
    await until(
      () => alicePc.addedCandidates.length === 2 && bobPc.addedCandidates.length === 2,
      'candidates both ways',
    );
    await h.alice.client.request('ping', {}); // barriers: all either side sent is at the relay
    await h.bob.client.request('ping', {});
    for (const event of ['call.offer', 'call.answer'])
      expect(h.relay.received.filter((entry) => entry.event === event)).toEqual([]);
    expect(alicePc.offersMade).toHaveLength(1);
    expect(bobPc.offersMade).toEqual([]);
    expect(snapshot(bobCall).remoteVideo).toBe(true);
    await until(() => snapshot(aliceCall).remoteVideo, 'alice receives bob’s camera');
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('the callee applies the invite’s offer while ringing, and makes its answer only on accept; its candidates follow the accept', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    const bobCall = await ringingWithTheOffer(h);
    const bobPc = fakePc(bobCall);
    expect(bobPc.remoteDescription).toEqual({ type: 'offer', sdp: invite?.sdp });
    expect(bobPc.localDescription).toBeNull();
    expect(bobPc.started).not.toContain('setLocalDescription');
    expect(bobPc.gathered).toBe(0);
    await h.bob.client.request('ping', {}); // barrier: all bob sent is at the relay
    expect(callFramesWritten(h, 'u-bob')).toEqual([]);
    expect(snapshot(bobCall).phase).toBe('ringing-in');

    await bobCall.accept();
    expect(bobPc.log.filter((entry) => entry.includes('Description'))).toEqual([
      'setRemoteDescription:offer',
      'setLocalDescription:answer',
    ]);
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([
      { callId: aliceCall.callId, sdp: bobPc.localDescription?.sdp },
    ]);
    await bothConnected(aliceCall, bobCall);
    await until(() => bobPc.gathered === 1, 'bob’s candidates gathered');
    await h.bob.client.request('ping', {});
    const written = callFramesWritten(h, 'u-bob');
    expect(written[0]).toBe('call.accept');
    expect(written.filter((event) => event === 'call.candidate')).toHaveLength(2);
    expect(written).not.toContain('call.answer');
    expect(h.bob.errors).toEqual([]);
  });

  it('declining a call whose offer was applied sends no answer and no candidates', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await ringingWithTheOffer(h);
    const bobPc = fakePc(bobCall);

    await bobCall.decline();
    await h.bob.client.request('ping', {}); // barrier: all bob sent is at the relay
    expect(
      h.relay.received.filter((entry) => entry.from === 'u-bob' && entry.event !== 'ping'),
    ).toEqual([{ from: 'u-bob', event: 'call.decline', data: { callId: aliceCall.callId } }]);
    expect(bobPc.started).not.toContain('setLocalDescription');
    expect(bobPc.localDescription).toBeNull();
    expect(bobPc.gathered).toBe(0);
    expect(bobPc.closed).toBe(true);
    expect(h.bob.getUserMedia.calls).toEqual([]);

    await until(() => snapshot(aliceCall).phase === 'ended', 'alice ended');
    expect(snapshot(aliceCall).endReason).toBe('declined');
    await h.alice.client.request('ping', {});
    expect(callFramesWritten(h, 'u-alice')).toEqual(['call.invite']);
    expect(h.bob.errors).toEqual([]);
  });

  it('the caller switches video on while ringing in an audio call: after the accept it offers the video as call.offer, the callee answers it, both connect with video', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const alicePc = fakePc(aliceCall);
    const bobCall = await ringingWithTheOffer(h);
    await aliceCall.setVideo(true);
    expect(snapshot(aliceCall).localStream?.getVideoTracks()).toHaveLength(1);
    await h.alice.client.request('ping', {});
    expect(callFramesWritten(h, 'u-alice')).toEqual(['call.invite']);

    await bobCall.accept();
    await bothConnected(aliceCall, bobCall);
    await until(() => snapshot(bobCall).remoteVideo, 'bob receives alice’s camera');
    await until(() => alicePc.signalingState === 'stable', 'renegotiated');
    await h.alice.client.request('ping', {});
    await h.bob.client.request('ping', {});

    // The invite's offer had audio only; the video goes in a call.offer after the accept.
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    const kinds = (sdp: unknown): string[] =>
      (JSON.parse(String(sdp)) as { mlines: { kind: string }[] }).mlines.map((m) => m.kind);
    expect(kinds(invite?.sdp)).toEqual(['audio']);
    const offers = h.relay.eventsFrom('u-alice', 'call.offer');
    expect(offers).toHaveLength(1);
    expect(kinds(offers[0]?.sdp)).toEqual(['audio', 'video']);
    const order = h.relay.received.map((entry) => `${entry.from}:${entry.event}`);
    expect(order.indexOf('u-alice:call.offer')).toBeGreaterThan(order.indexOf('u-bob:call.accept'));
    expect(h.relay.eventsFrom('u-bob', 'call.answer')).toHaveLength(1);
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
    // A browser makes no second offer while the first waits for its answer: the accept's
    // answer completes the first exchange, the video is a renegotiation after it.
    expect(alicePc.log.indexOf('setRemoteDescription:answer')).toBeLessThan(
      alicePc.log.lastIndexOf('setLocalDescription:offer'),
    );
    expect(alicePc.sendingKinds.sort()).toEqual(['audio', 'video']);
    expect(snapshot(aliceCall).video).toBe(true);
    expect(h.alice.errors).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('an accept before the callee’s prepareIncoming ran (an automatic answer) still carries the answer', async () => {
    const h = await createHarness(allowed);
    let accepting: Promise<void> | null = null;
    let pcWhenRung: unknown = 'not rung';
    h.bob.manager.subscribe(() => {
      const call = h.bob.manager.current;
      if (!call || accepting) return;
      pcWhenRung = call.getPeerConnection();
      accepting = call.accept(); // the moment the invite is published
    });
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await until(() => accepting !== null, 'bob rung');
    await accepting;
    expect(pcWhenRung).toBeNull();
    const bobCall = h.bob.manager.current!;
    const bobPc = fakePc(bobCall);
    expect(bobPc.localDescription?.type).toBe('answer');
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([
      { callId: aliceCall.callId, sdp: bobPc.localDescription?.sdp },
    ]);
    await bothConnected(aliceCall, bobCall);
    // prepareIncoming, when it ran, neither built another connection nor applied the offer again.
    expect(FakePeerConnection.instances).toHaveLength(2);
    expect(bobPc.log.filter((entry) => entry.includes('Description'))).toEqual([
      'setRemoteDescription:offer',
      'setLocalDescription:answer',
    ]);
    await h.alice.client.request('ping', {});
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
    expect(h.bob.errors).toEqual([]);
  });

  it('an invite’s offer the callee cannot apply: it accepts without sdp, the caller sends the offer as call.offer, the call connects', async () => {
    let refusals = 1;
    class RefusingPeerConnection extends FakePeerConnection {
      override async setRemoteDescription(description: { type: string; sdp?: string }) {
        if (description.type === 'offer' && refusals > 0) {
          refusals--;
          await Promise.resolve();
          throw Object.assign(new Error('Failed to parse SessionDescription'), {
            name: 'OperationError',
          });
        }
        return super.setRemoteDescription(description);
      }
    }
    const h = await createHarness({ RTCPeerConnection: RefusingPeerConnection });
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const bobCall = await bobRinging(h);
    await until(() => h.bob.errors.length === 1, 'the refused offer reported');
    expect(h.bob.errors[0]).toMatchObject({ name: 'OperationError' });
    expect(fakePc(bobCall).signalingState).toBe('stable');

    await bobCall.accept();
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([{ callId: aliceCall.callId }]);
    await bothConnected(aliceCall, bobCall);
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([
      { callId: aliceCall.callId, sdp: invite?.sdp },
    ]);
    const order = h.relay.received.map((entry) => `${entry.from}:${entry.event}`);
    expect(order.indexOf('u-alice:call.offer')).toBeGreaterThan(order.indexOf('u-bob:call.accept'));
    expect(h.relay.eventsFrom('u-bob', 'call.answer')).toHaveLength(1);
    expect(refusals).toBe(0);
    expect(h.bob.errors).toHaveLength(1);
    expect(h.alice.errors).toEqual([]);
  });
});
