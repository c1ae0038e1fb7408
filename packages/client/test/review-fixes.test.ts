import { describe, expect, it } from 'vitest';
import { connectCall, createHarness, snapshot, until } from './call/harness.js';

describe('call.media lost with a signalling connection', () => {
  it('a change made while the peer was away reaches it once its session resumed', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    await until(() => snapshot(bobCall).remoteMedia !== null, 'bob told alice’s media');

    // Bob's connection drops; what the server relays to him meanwhile is dropped.
    h.relay.socketOf('u-bob').serverClose(1006);
    aliceCall.setMuted(true);
    await h.alice.client.request('ping', {});
    expect(h.relay.eventsFrom('u-alice', 'call.media').at(-1)).toMatchObject({ audio: false });
    expect(h.bob.client.state).not.toBe('ready');
    expect(snapshot(bobCall).remoteMedia).toEqual({ audio: true, video: false });

    await until(() => h.bob.client.state === 'ready', 'bob resumed');
    expect(h.bob.client.session?.resumed).toBe(true);
    await until(() => snapshot(bobCall).remoteMedia?.audio === false, 'bob shown alice muted');
  });

  it('a change whose frame was lost with this side’s own connection goes out again after the resume', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, false);
    await until(() => snapshot(bobCall).remoteMedia !== null, 'bob told alice’s media');

    // Written to the socket, which closes before the server reads it.
    aliceCall.setMuted(true);
    h.relay.socketOf('u-alice').serverClose(1006);

    await until(() => h.alice.client.state === 'ready', 'alice resumed');
    expect(h.alice.client.session?.resumed).toBe(true);
    await until(() => snapshot(bobCall).remoteMedia?.audio === false, 'bob shown alice muted');
    expect(snapshot(aliceCall).phase).not.toBe('ended');
  });
});
