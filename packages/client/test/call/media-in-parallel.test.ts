import { describe, expect, it } from 'vitest';
import { CallMediaError } from '../../src/call/index.js';
import { FakePeerConnection } from './fake-peer-connection.js';
import { bobRinging, createHarness, fakePc, sleep, snapshot, until } from './harness.js';

const allowed = { mediaPermitted: async () => true };

describe('media already allowed: signalling does not wait for the camera', () => {
  it('the caller rings while its camera opens; call() resolves once both are done', async () => {
    const h = await createHarness(allowed);
    const release = h.alice.getUserMedia.holdNext();
    let settled = false;
    const calling = h.alice.manager.call('u-bob', 'lobby', { video: true }).finally(() => {
      settled = true;
    });
    await until(() => h.relay.eventsFrom('u-alice', 'call.invite').length === 1, 'the invite');
    await bobRinging(h);
    expect(h.alice.getUserMedia.opening).toBe(1);
    await sleep(10);
    expect(settled).toBe(false);

    release();
    const aliceCall = await calling;
    expect(snapshot(aliceCall).phase).toBe('ringing-out');
    expect(snapshot(aliceCall).localStream).toBe(h.alice.getUserMedia.streams[0]);
  });

  it('an accept that beats the caller’s camera: the offer rings at once, its answer is applied at once, the camera’s tracks when open', async () => {
    const h = await createHarness(allowed);
    const release = h.alice.getUserMedia.holdNext();
    const calling = h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    expect(h.relay.eventsFrom('u-alice', 'call.invite')[0]?.sdp).toEqual(expect.any(String));
    void bobCall.accept();
    const [alicePc] = FakePeerConnection.instances; // call() has not resolved yet
    await until(
      () => alicePc?.remoteDescription?.type === 'answer' && alicePc.signalingState === 'stable',
      'the accept’s answer applied',
    );
    expect(h.alice.getUserMedia.opening).toBe(1);
    await until(() => snapshot(bobCall).remoteStream !== null, 'bob has alice’s tracks');
    expect(snapshot(bobCall).remoteVideo).toBe(false); // nothing sent yet: muted

    release();
    const aliceCall = await calling;
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'both connected',
    );
    await until(() => snapshot(bobCall).remoteVideo, 'bob receives alice’s camera');
    expect(fakePc(aliceCall)).toBe(alicePc);
    expect(alicePc?.offersMade).toHaveLength(1); // no renegotiation
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
    expect(fakePc(aliceCall).sendingKinds.sort()).toEqual(['audio', 'video']);
  });

  it('the callee accepts while its camera opens and answers at once; its tracks follow without renegotiation', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    const release = h.bob.getUserMedia.holdNext();
    const accepting = bobCall.accept();

    await until(() => h.relay.eventsFrom('u-bob', 'call.accept').length === 1, 'the accept');
    expect(h.relay.eventsFrom('u-bob', 'call.accept')[0]?.sdp).toEqual(expect.any(String));
    expect(h.bob.getUserMedia.opening).toBe(1);
    expect(snapshot(bobCall).phase).toBe('connecting');
    await until(() => snapshot(aliceCall).remoteStream !== null, 'alice has bob’s tracks');
    expect(snapshot(aliceCall).remoteVideo).toBe(false);

    release();
    await accepting;
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'both connected',
    );
    await until(() => snapshot(aliceCall).remoteVideo, 'alice receives bob’s camera');
    expect(fakePc(bobCall).log.filter((entry) => entry.startsWith('replaceTrack'))).toEqual([
      'replaceTrack:audio',
      'replaceTrack:video',
    ]);
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]); // no start-up glare
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
    expect(fakePc(aliceCall).offersMade).toHaveLength(1);
    expect(fakePc(bobCall).sendingKinds.sort()).toEqual(['audio', 'video']);
  });

  it('a callee answering audio only sends no video, and can turn the camera on later', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    await bobCall.setVideo(false);
    await bobCall.accept();
    await until(() => snapshot(aliceCall).phase === 'connected', 'connected');
    expect(h.bob.getUserMedia.calls).toEqual([{ audio: true, video: false }]);
    expect(fakePc(bobCall).sendingKinds).toEqual(['audio']);
    expect(snapshot(aliceCall).remoteVideo).toBe(false);

    await bobCall.setVideo(true);
    await until(() => snapshot(aliceCall).remoteVideo, 'alice receives bob’s camera');
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toHaveLength(1); // the video renegotiated
  });

  it('the callee’s camera failing after the accept hangs up with media-error; the caller learns why', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    h.bob.getUserMedia.failNext('NotReadableError', 'Could not start video source');

    const error = await bobCall.accept().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallMediaError);
    expect(snapshot(bobCall)).toMatchObject({
      phase: 'ended',
      endReason: 'media-error',
      error: { name: 'NotReadableError', message: 'Could not start video source' },
    });
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toHaveLength(1);
    expect(h.relay.eventsFrom('u-bob', 'call.bye')).toEqual([
      { callId: aliceCall.callId, reason: 'media-error' },
    ]);
    expect(h.relay.eventsFrom('u-bob', 'call.answer')).toEqual([]);
    await until(() => snapshot(aliceCall).phase === 'ended', 'alice ended');
    expect(snapshot(aliceCall).endReason).toBe('remote-media-error');
    expect(fakePc(bobCall).closed).toBe(true);
  });

  it('the caller’s camera failing after the invite cancels the ringing call with media-error', async () => {
    const h = await createHarness(allowed);
    h.alice.getUserMedia.failNext('NotFoundError', 'Requested device not found');
    const release = h.alice.getUserMedia.holdNext();
    const calling = h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    release();

    const error = await calling.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CallMediaError);
    expect(error).toMatchObject({ mediaError: { name: 'NotFoundError' } });
    expect(h.alice.manager.current).toBeNull();
    const [invite] = h.relay.eventsFrom('u-alice', 'call.invite');
    expect(h.relay.eventsFrom('u-alice', 'call.bye')).toEqual([
      { callId: invite?.callId, reason: 'media-error' },
    ]);
    await until(() => snapshot(bobCall).phase === 'ended', 'bob ended');
    expect(snapshot(bobCall).endReason).toBe('remote-media-error');
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
  });
});

describe('media not yet allowed: nothing rings or connects during a permission prompt', () => {
  it('the caller sends no invite until its camera is open', async () => {
    const h = await createHarness({ mediaPermitted: async () => false });
    const release = h.alice.getUserMedia.holdNext();
    const calling = h.alice.manager.call('u-bob', 'lobby', { video: true });
    await sleep(20);
    expect(h.relay.eventsFrom('u-alice', 'call.invite')).toEqual([]);
    release();
    await calling;
    expect(h.relay.eventsFrom('u-alice', 'call.invite')).toHaveLength(1);
  });

  it('the callee sends no accept until its camera is open', async () => {
    const h = await createHarness({ mediaPermitted: async () => false });
    await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    const release = h.bob.getUserMedia.holdNext();
    const accepting = bobCall.accept();
    await sleep(20);
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toEqual([]);
    expect(snapshot(bobCall).phase).toBe('ringing-in');
    release();
    await accepting;
    expect(h.relay.eventsFrom('u-bob', 'call.accept')).toHaveLength(1);
  });

  it('asks the permission check about the camera only for video calls', async () => {
    const asked: boolean[] = [];
    const h = await createHarness({
      mediaPermitted: async (video) => {
        asked.push(video);
        return false;
      },
    });
    const audioCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await audioCall.hangUp();
    await h.alice.manager.call('u-bob', 'lobby', { video: true });
    expect(asked).toEqual([false, true]);
  });

  it('a permission check that fails counts as not allowed', async () => {
    const h = await createHarness({
      mediaPermitted: () => Promise.reject(new Error('permissions unavailable')),
    });
    const release = h.alice.getUserMedia.holdNext();
    const calling = h.alice.manager.call('u-bob', 'lobby', { video: true });
    await sleep(20);
    expect(h.relay.eventsFrom('u-alice', 'call.invite')).toEqual([]);
    release();
    await calling;
    expect(h.relay.eventsFrom('u-alice', 'call.invite')).toHaveLength(1);
  });
});

describe('the call ends while the media open', () => {
  it('declined while the caller’s camera opens, then the camera fails: call() reports the decline, no bye', async () => {
    const h = await createHarness(allowed);
    h.alice.getUserMedia.failNext('NotReadableError', 'Could not start video source');
    const release = h.alice.getUserMedia.holdNext();
    const calling = h.alice.manager.call('u-bob', 'lobby', { video: true });
    await (await bobRinging(h)).decline();
    await until(() => h.relay.delivered.some((d) => d.event === 'call.decline'), 'the decline');
    await sleep(5);
    release();
    const aliceCall = await calling;
    expect(snapshot(aliceCall)).toMatchObject({ phase: 'ended', endReason: 'declined' });
    expect(h.relay.eventsFrom('u-alice', 'call.bye')).toEqual([]);
  });

  it('the caller hangs up while the callee’s camera opens: the callee ends, its camera is stopped', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    const release = h.bob.getUserMedia.holdNext();
    const accepting = bobCall.accept();
    await until(() => h.relay.eventsFrom('u-bob', 'call.accept').length === 1, 'the accept');
    await aliceCall.hangUp();
    await until(() => snapshot(bobCall).phase === 'ended', 'bob ended');
    expect(snapshot(bobCall).endReason).toBe('remote-hangup');
    release();
    await expect(accepting).resolves.toBeUndefined();
    const [stream] = h.bob.getUserMedia.streams;
    expect(stream?.getTracks().every((track) => track.readyState === 'ended')).toBe(true);
    expect(snapshot(bobCall).localStream).toBeNull();
    expect(h.relay.eventsFrom('u-bob', 'call.bye')).toEqual([]);
  });

  it('the camera switched off while it opens never sends a frame', async () => {
    const h = await createHarness(allowed);
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    const release = h.bob.getUserMedia.holdNext();
    const accepting = bobCall.accept();
    // Bob has answered (in his accept), sending on both transceivers, when he switches the
    // camera off.
    await until(() => h.relay.eventsFrom('u-bob', 'call.accept').length === 1, 'the accept');
    expect(fakePc(bobCall).localDescription?.type).toBe('answer');
    const switching = bobCall.setVideo(false);
    expect(snapshot(bobCall).video).toBe(false);
    release();
    await accepting;
    await switching;
    await until(() => snapshot(aliceCall).phase === 'connected', 'connected');
    const [opened] = h.bob.getUserMedia.streams;
    expect(opened?.getVideoTracks()).toEqual([]);
    expect(snapshot(bobCall).localStream?.getAudioTracks()).toHaveLength(1);
    expect(fakePc(bobCall).log).not.toContain('replaceTrack:video');
    expect(fakePc(bobCall).sendingKinds.filter((kind) => kind === 'video')).toEqual([]);
  });
});
