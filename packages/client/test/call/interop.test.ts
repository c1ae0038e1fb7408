import { describe, expect, it } from 'vitest';
import { CallEndState } from '../../src/call/index.js';
import { bobRinging, createHarness, fakePc, snapshot, until } from './harness.js';
import { RawPeer } from './raw-peer.js';

type Frame = RawPeer['received'][number];

/** The frames `peer` received after `frame`, in order. */
const after = (peer: RawPeer, frame: Frame): Frame[] =>
  peer.received.slice(peer.received.indexOf(frame) + 1);

describe('a call with a peer written from the protocol text alone', () => {
  it('the client calls a callee that ignores the invite’s offer (revision 1): the same offer comes right after the accept, then its candidates; the raw callee only answers', async () => {
    const h = await createHarness();
    const raw = await RawPeer.connect(h.relay, 'Raw');
    try {
      const calling = h.alice.manager.call('u-raw', 'lobby', { video: false });
      const invite = await raw.next((frame) => frame.event === 'call.invite');
      expect(invite.data).toMatchObject({
        room: 'lobby',
        from: { userId: 'u-alice' },
        video: false,
        sdp: expect.any(String),
      });
      raw.callId = String(invite.data.callId);
      const aliceCall = await calling;
      expect(raw.eventsOf('call.offer')).toEqual([]); // nothing before the accept
      expect(raw.eventsOf('call.candidate')).toEqual([]);

      const accepted = await raw.request('call.accept', { callId: raw.callId });
      expect(accepted.event).toBe('ack');
      const offer = await raw.nextCallEvent('call.offer');
      const media = await raw.nextCallEvent('call.media');
      // The offer is the first thing the caller sends after the accept: the invite's.
      expect(after(raw, accepted)[0]).toBe(offer);
      expect(offer.data.sdp).toBe(invite.data.sdp);
      expect(media.data).toEqual({
        callId: raw.callId,
        from: { userId: 'u-alice', name: 'Alice' },
        audio: true,
        video: false,
      });

      await raw.answer(String(offer.data.sdp));
      raw.addRemoteCandidates();
      await until(() => snapshot(aliceCall).phase === 'connected', 'alice connected');
      await until(() => raw.pc.connectionState === 'connected', 'the raw peer connected');
      const candidates = raw.eventsOf('call.candidate');
      expect(candidates.length).toBeGreaterThan(0);
      for (const frame of candidates) {
        expect(raw.received.indexOf(frame)).toBeGreaterThan(raw.received.indexOf(offer));
        const { candidate } = frame.data as { candidate: Record<string, unknown> | null };
        if (candidate !== null) expect(candidate.sdpMid ?? candidate.sdpMLineIndex).not.toBeNull();
      }
      await until(() => fakePc(aliceCall).addedCandidates.length === 2, 'raw candidates added');
      await until(() => raw.pc.addedCandidates.length === 2, 'alice’s candidates added');
      expect(raw.errors).toEqual([]);

      raw.send('call.media', { callId: raw.callId, audio: false, video: false });
      await until(() => snapshot(aliceCall).remoteMedia !== null, 'the raw media state');
      expect(snapshot(aliceCall).remoteMedia).toEqual({ audio: false, video: false });

      await raw.request('call.bye', { callId: raw.callId });
      await until(() => snapshot(aliceCall).phase === 'ended', 'alice ended');
      expect(snapshot(aliceCall).endReason).toBe(CallEndState.RemoteHangup);
      expect(h.alice.errors).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('the client calls a callee that answers the invite’s offer in its accept: no call.offer, the held candidates after the accept, connected', async () => {
    const h = await createHarness();
    const raw = await RawPeer.connect(h.relay, 'Raw');
    try {
      const calling = h.alice.manager.call('u-raw', 'lobby', { video: false });
      const invite = await raw.next((frame) => frame.event === 'call.invite');
      raw.callId = String(invite.data.callId);
      const aliceCall = await calling;
      const alicePc = fakePc(aliceCall);
      // Alice's candidates were gathered while ringing, and held.
      await until(() => alicePc.gathered > 0, 'alice’s candidates gathered');
      await h.alice.client.request('ping', {});
      expect(raw.eventsOf('call.candidate')).toEqual([]);

      const answer = await raw.answerOffer(String(invite.data.sdp));
      const accepted = await raw.request('call.accept', { callId: raw.callId, sdp: answer });
      expect(accepted.event).toBe('ack');
      raw.addRemoteCandidates();
      await until(() => snapshot(aliceCall).phase === 'connected', 'alice connected');
      await until(() => raw.pc.connectionState === 'connected', 'the raw peer connected');
      expect(alicePc.remoteDescription).toEqual({ type: 'answer', sdp: answer });
      await until(() => raw.pc.addedCandidates.length === 2, 'alice’s candidates added');
      await until(() => alicePc.addedCandidates.length === 2, 'raw candidates added');
      const candidates = raw.eventsOf('call.candidate');
      expect(candidates.map((frame) => frame.data.candidate)).toEqual([
        expect.objectContaining({ sdpMid: '0' }),
        null,
      ]);
      for (const frame of candidates)
        expect(raw.received.indexOf(frame)).toBeGreaterThan(raw.received.indexOf(accepted));

      await h.alice.client.request('ping', {}); // barrier: all alice sent is at the raw peer
      expect(raw.eventsOf('call.offer')).toEqual([]);
      expect(raw.eventsOf('call.answer')).toEqual([]);
      expect(alicePc.offersMade).toHaveLength(1);
      expect(raw.errors).toEqual([]);
      expect(h.alice.errors).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('the raw peer calls without an offer in its invite (revision 1): the client accepts without sdp, announces its media and answers the caller’s call.offer', async () => {
    const h = await createHarness({ mediaPermitted: async () => true });
    const raw = await RawPeer.connect(h.relay, 'Raw');
    try {
      raw.callId = 'raw-call-1';
      const invited = await raw.request('call.invite', {
        callId: raw.callId,
        to: 'u-bob',
        room: 'lobby',
        video: false,
      });
      expect(invited.event).toBe('ack');
      const bobCall = await bobRinging(h);
      expect(snapshot(bobCall)).toMatchObject({ phase: 'ringing-in', role: 'callee' });
      await bobCall.accept();
      const accept = await raw.nextCallEvent('call.accept');
      expect(accept.data).toEqual({ callId: raw.callId, from: { userId: 'u-bob', name: 'Bob' } });
      const media = await raw.nextCallEvent('call.media');
      expect(media.data).toMatchObject({ audio: true, video: false });

      // Barrier: the relay answers bob's ping after everything bob sent before it.
      await h.bob.client.request('ping', {});
      expect(raw.eventsOf('call.offer')).toEqual([]);
      expect(fakePc(bobCall).offersMade).toEqual([]);

      raw.addRemoteCandidates();
      await raw.offer();
      const answer = await raw.nextCallEvent('call.answer');
      await raw.pc.setRemoteDescription({ type: 'answer', sdp: String(answer.data.sdp) });
      await until(() => snapshot(bobCall).phase === 'connected', 'bob connected');
      await until(() => raw.pc.connectionState === 'connected', 'the raw peer connected');

      raw.send('call.media', { callId: raw.callId, audio: true, video: false });
      await until(() => snapshot(bobCall).remoteMedia !== null, 'the raw media state');
      expect(snapshot(bobCall).remoteMedia).toEqual({ audio: true, video: false });

      bobCall.setMuted(true);
      const muted = await raw.nextCallEvent('call.media');
      expect(muted.data).toMatchObject({ audio: false, video: false });

      await bobCall.hangUp();
      const bye = await raw.nextCallEvent('call.bye');
      expect(bye.data).toMatchObject({ reason: 'hangup', from: { userId: 'u-bob' } });
      expect(raw.eventsOf('call.offer')).toEqual([]); // bob never offered
      expect(raw.errors).toEqual([]);
      expect(h.bob.errors).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('the raw peer calls with its offer in the invite: the client’s accept carries the answer, its candidates come after the accept', async () => {
    const h = await createHarness({ mediaPermitted: async () => true });
    const raw = await RawPeer.connect(h.relay, 'Raw');
    try {
      raw.callId = 'raw-call-2';
      const offer = await raw.makeOffer();
      const invited = await raw.request('call.invite', {
        callId: raw.callId,
        to: 'u-bob',
        room: 'lobby',
        video: false,
        sdp: offer,
      });
      expect(invited.event).toBe('ack');
      const bobCall = await bobRinging(h);
      await bobCall.accept();
      const accept = await raw.nextCallEvent('call.accept');
      expect(accept.data).toEqual({
        callId: raw.callId,
        from: { userId: 'u-bob', name: 'Bob' },
        sdp: expect.any(String),
      });
      const bobPc = fakePc(bobCall);
      expect(bobPc.localDescription).toEqual({ type: 'answer', sdp: accept.data.sdp });

      await raw.pc.setRemoteDescription({ type: 'answer', sdp: String(accept.data.sdp) });
      raw.addRemoteCandidates();
      await until(() => snapshot(bobCall).phase === 'connected', 'bob connected');
      await until(() => raw.pc.connectionState === 'connected', 'the raw peer connected');
      await until(() => raw.pc.addedCandidates.length === 2, 'bob’s candidates added');
      await until(() => bobPc.addedCandidates.length === 2, 'raw candidates added');
      const candidates = raw.eventsOf('call.candidate');
      expect(candidates).toHaveLength(2);
      for (const frame of candidates)
        expect(raw.received.indexOf(frame)).toBeGreaterThan(raw.received.indexOf(accept));

      await h.bob.client.request('ping', {});
      expect(raw.eventsOf('call.offer')).toEqual([]);
      expect(raw.eventsOf('call.answer')).toEqual([]);
      expect(bobPc.offersMade).toEqual([]);
      expect(raw.errors).toEqual([]);
      expect(h.bob.errors).toEqual([]);
    } finally {
      raw.close();
    }
  });

  it('the relay, as the server, refuses an answer in an accept whose invite carried no offer; the call still rings', async () => {
    const relay = (await createHarness()).relay;
    const caller = await RawPeer.connect(relay, 'Carol');
    const callee = await RawPeer.connect(relay, 'Dave');
    try {
      caller.callId = callee.callId = 'raw-call-3';
      await caller.request('call.invite', {
        callId: caller.callId,
        to: 'u-dave',
        room: 'lobby',
        video: false,
      });
      const invite = await callee.nextCallEvent('call.invite');
      expect(invite.data).not.toHaveProperty('sdp');

      const refused = await callee.request('call.accept', { callId: callee.callId, sdp: 'v=0' });
      expect(refused).toMatchObject({ event: 'error', data: { code: 'bad_state' } });
      const accepted = await callee.request('call.accept', { callId: callee.callId });
      expect(accepted.event).toBe('ack');
      const accept = await caller.nextCallEvent('call.accept');
      expect(accept.data).toEqual({
        callId: caller.callId,
        from: { userId: 'u-dave', name: 'Dave' },
      });
      expect(caller.eventsOf('call.accept')).toHaveLength(1);
    } finally {
      caller.close();
      callee.close();
    }
  });
});
