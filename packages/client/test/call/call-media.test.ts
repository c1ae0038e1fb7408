import { describe, expect, it } from 'vitest';
import { bobRinging, connectCall, createHarness, snapshot, until } from './harness.js';

const mediaFrom = (h: Awaited<ReturnType<typeof createHarness>>, userId: string) =>
  h.relay.eventsFrom(userId, 'call.media').map(({ audio, video }) => ({ audio, video }));

describe('call.media', () => {
  it('both parties announce their media right after the accept, not before', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    bobCall.setMuted(true); // while ringing: nothing goes out yet
    await h.bob.client.request('ping', {});
    expect(h.relay.eventsFrom('u-bob', 'call.media')).toEqual([]);

    await bobCall.accept();
    await until(() => mediaFrom(h, 'u-alice').length === 1, 'alice’s media state');
    await h.bob.client.request('ping', {});
    expect(h.relay.eventsFrom('u-bob', 'call.media')).toEqual([
      { callId: bobCall.callId, audio: false, video: true },
    ]);
    expect(h.relay.eventsFrom('u-alice', 'call.media')).toEqual([
      { callId: aliceCall.callId, audio: true, video: true },
    ]);
    // The callee's comes after its accept.
    const bobFrames = h.relay.received.filter((entry) => entry.from === 'u-bob');
    const events = bobFrames.map((entry) => entry.event);
    expect(events.indexOf('call.accept')).toBeLessThan(events.indexOf('call.media'));

    await until(() => snapshot(aliceCall).remoteMedia !== null, 'alice told');
    expect(snapshot(aliceCall).remoteMedia).toEqual({ audio: false, video: true });
    await until(() => snapshot(bobCall).remoteMedia !== null, 'bob told');
    expect(snapshot(bobCall).remoteMedia).toEqual({ audio: true, video: true });
  });

  it('goes out on every change: mute, unmute, camera off, camera on; a no-op sends nothing', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, true);
    const sent = () => mediaFrom(h, 'u-alice');
    const seen: unknown[] = [];
    bobCall.subscribe(() => {
      const remote = snapshot(bobCall).remoteMedia;
      if (remote !== seen.at(-1)) seen.push(remote);
    });

    aliceCall.setMuted(true);
    aliceCall.setMuted(true);
    await aliceCall.setVideo(false);
    aliceCall.setMuted(false);
    await aliceCall.setVideo(true);
    await h.alice.client.request('ping', {});
    expect(sent()).toEqual([
      { audio: true, video: true },
      { audio: false, video: true },
      { audio: false, video: false },
      { audio: true, video: false },
      { audio: true, video: true },
    ]);
    await until(() => seen.length === 4, 'bob shown each change');
    expect(seen).toEqual([
      { audio: false, video: true },
      { audio: false, video: false },
      { audio: true, video: false },
      { audio: true, video: true },
    ]);
  });

  it('an audio call upgraded to video announces the camera once it is open; a camera that fails announces nothing', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    expect(mediaFrom(h, 'u-bob')).toEqual([{ audio: true, video: false }]);
    h.bob.getUserMedia.failNext('NotFoundError');
    await expect(bobCall.setVideo(true)).rejects.toMatchObject({ name: 'CallMediaError' });
    await bobCall.setVideo(true);
    await h.bob.client.request('ping', {});
    expect(mediaFrom(h, 'u-bob')).toEqual([
      { audio: true, video: false },
      { audio: true, video: true },
    ]);
    await until(() => snapshot(aliceCall).remoteMedia?.video === true, 'alice told');
  });

  it('stops with the call', async () => {
    const h = await createHarness();
    const { aliceCall } = await connectCall(h, false);
    await aliceCall.hangUp();
    aliceCall.setMuted(true);
    await h.alice.client.request('ping', {});
    expect(mediaFrom(h, 'u-alice')).toEqual([{ audio: true, video: false }]);
  });
});
