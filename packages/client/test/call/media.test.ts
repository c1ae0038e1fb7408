import { describe, expect, it } from 'vitest';
import { connectCall, createHarness, fakePc, snapshot, until } from './harness.js';

describe('local media controls', () => {
  it('mute disables the audio track (silence is sent) and unmute enables it again', async () => {
    const h = await createHarness();
    const { aliceCall } = await connectCall(h, true);
    const [audio] = snapshot(aliceCall).localStream!.getAudioTracks();
    const sender = fakePc(aliceCall)
      .getSenders()
      .find((s) => s.track?.kind === 'audio');
    expect(audio?.enabled).toBe(true);
    aliceCall.setMuted(true);
    expect(audio?.enabled).toBe(false);
    expect(sender?.track).toBe(audio); // still sending, silence
    expect(snapshot(aliceCall).muted).toBe(true);
    aliceCall.setMuted(false);
    expect(audio?.enabled).toBe(true);
    expect(snapshot(aliceCall).muted).toBe(false);
  });

  it('a mute set while ringing applies to the tracks opened on accept', async () => {
    const h = await createHarness();
    await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await until(() => h.bob.manager.current !== null, 'the invite');
    const bobCall = h.bob.manager.current!;
    bobCall.setMuted(true);
    await bobCall.accept();
    expect(snapshot(bobCall).localStream?.getAudioTracks()[0]?.enabled).toBe(false);
  });

  it('camera off stops the track and sends nothing (remoteVideo false there); on again reuses the sender', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, true);
    const offersBefore = h.relay.eventsFrom('u-alice', 'call.offer').length;
    const replacesBefore = fakePc(aliceCall).log.length;
    const [camera] = snapshot(aliceCall).localStream!.getVideoTracks();

    await aliceCall.setVideo(false);
    expect(camera?.readyState).toBe('ended');
    expect(snapshot(aliceCall).video).toBe(false);
    expect(snapshot(aliceCall).localStream?.getVideoTracks()).toEqual([]);
    await until(() => !snapshot(bobCall).remoteVideo, 'bob sees no video');

    await aliceCall.setVideo(true);
    expect(snapshot(aliceCall).video).toBe(true);
    expect(snapshot(aliceCall).localStream?.getVideoTracks()[0]?.readyState).toBe('live');
    await until(() => snapshot(bobCall).remoteVideo, 'bob sees video again');
    expect(
      fakePc(aliceCall)
        .log.slice(replacesBefore)
        .filter((entry) => entry.startsWith('replaceTrack')),
    ).toEqual(['replaceTrack:null', 'replaceTrack:video']);
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toHaveLength(offersBefore); // no renegotiation
  });

  it('remoteVideo follows the remote video track ending', async () => {
    const h = await createHarness();
    const { bobCall } = await connectCall(h, true);
    expect(snapshot(bobCall).remoteVideo).toBe(true);
    const before = bobCall.getSnapshot();
    const remoteVideo = fakePc(bobCall).remoteStream.getVideoTracks()[0]!;
    remoteVideo.end();
    expect(snapshot(bobCall).remoteVideo).toBe(false);
    expect(bobCall.getSnapshot()).not.toBe(before);
  });

  it('a camera failure when turning video on keeps the call and shows the error', async () => {
    const h = await createHarness();
    const { aliceCall } = await connectCall(h, false);
    h.alice.getUserMedia.failNext('NotFoundError', 'Requested device not found');
    await expect(aliceCall.setVideo(true)).rejects.toMatchObject({
      mediaError: { name: 'NotFoundError' },
    });
    expect(snapshot(aliceCall)).toMatchObject({
      phase: 'connected',
      video: false,
      error: { name: 'NotFoundError', message: 'Requested device not found' },
    });
  });
});
