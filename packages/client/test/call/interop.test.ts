import { describe, expect, it } from 'vitest';
import { CallEndState } from '../../src/call/index.js';
import { bobRinging, createHarness, fakePc, snapshot, until } from './harness.js';
import { RawPeer } from './raw-peer.js';

describe('a call with a peer written from the protocol text alone', () => {
  it('the client calls: its first offer comes right after the accept, then its media state; the raw callee only answers', async () => {
    const h = await createHarness();
    const raw = await RawPeer.connect(h.relay, 'Raw');
    try {
      const calling = h.alice.manager.call('u-raw', 'lobby', { video: false });
      const invite = await raw.next((frame) => frame.event === 'call.invite');
      expect(invite.data).toMatchObject({
        room: 'lobby',
        from: { userId: 'u-alice' },
        video: false,
      });
      raw.callId = String(invite.data.callId);
      const aliceCall = await calling;
      expect(raw.eventsOf('call.offer')).toEqual([]); // nothing before the accept

      const accepted = await raw.request('call.accept', { callId: raw.callId });
      expect(accepted.event).toBe('ack');
      const offer = await raw.nextCallEvent('call.offer');
      const media = await raw.nextCallEvent('call.media');
      // The offer is the first thing the caller sends after the accept.
      const afterAccept = raw.received.slice(raw.received.indexOf(accepted) + 1);
      expect(afterAccept[0]).toBe(offer);
      expect(media.data).toEqual({
        callId: raw.callId,
        from: { userId: 'u-alice', name: 'Alice' },
        audio: true,
        video: false,
      });

      raw.addRemoteCandidates();
      await raw.answer(String(offer.data.sdp));
      await until(() => snapshot(aliceCall).phase === 'connected', 'alice connected');
      await until(() => raw.pc.connectionState === 'connected', 'the raw peer connected');
      for (const frame of raw.eventsOf('call.candidate')) {
        const { candidate } = frame.data as { candidate: Record<string, unknown> | null };
        if (candidate !== null) expect(candidate.sdpMid ?? candidate.sdpMLineIndex).not.toBeNull();
      }
      await until(() => fakePc(aliceCall).addedCandidates.length === 2, 'raw candidates added');

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

  it('the raw peer calls: the client accepts, announces its media and waits for the caller’s offer', async () => {
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
      await raw.nextCallEvent('call.accept');
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
      expect(h.bob.errors).toEqual([]);
    } finally {
      raw.close();
    }
  });
});
