import { CallEndReason } from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import { CallEndState } from '../../src/call/index.js';
import { bobRinging, connectCall, createHarness, fakePc, snapshot, until } from './harness.js';

const allEnded = (stream: { getTracks(): { readyState: string }[] } | null): boolean =>
  stream !== null &&
  stream.getTracks().length > 0 &&
  stream.getTracks().every((track) => track.readyState === 'ended');

describe('ending a call', () => {
  it('decline: both end with declined; the offer prepared while ringing is never sent', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    await until(() => h.bob.manager.current !== null, 'the invite');
    const bobCall = h.bob.manager.current!;
    await until(() => bobCall.getPeerConnection() !== null, 'bob’s peer connection');
    await bobCall.decline();
    expect(snapshot(bobCall)).toMatchObject({ phase: 'ended', endReason: 'declined' });
    expect(h.relay.eventsFrom('u-bob', 'call.decline')).toEqual([{ callId: aliceCall.callId }]);
    await until(() => snapshot(aliceCall).phase === 'ended', 'alice ended');
    expect(snapshot(aliceCall).endReason).toBe('declined');
    expect(allEnded(snapshot(aliceCall).localStream)).toBe(true);
    expect(fakePc(aliceCall).closed).toBe(true);
    expect(h.relay.eventsFrom('u-alice', 'call.offer')).toEqual([]);
    expect(h.relay.eventsFrom('u-alice', 'call.candidate')).toEqual([]);
    // Bob's connection, made while ringing, is closed unused.
    expect(fakePc(bobCall).closed).toBe(true);
    expect(fakePc(bobCall).localDescription).toBeNull();
    expect(h.bob.getUserMedia.calls).toEqual([]);
  });

  it('hang up: call.bye, the pc closed and local tracks stopped here; remote-hangup there', async () => {
    const h = await createHarness();
    const { aliceCall, bobCall } = await connectCall(h, true);
    const alicePc = fakePc(aliceCall);
    const bobPc = fakePc(bobCall);
    await aliceCall.hangUp();
    expect(snapshot(aliceCall)).toMatchObject({ phase: 'ended', endReason: 'hangup' });
    expect(h.relay.eventsFrom('u-alice', 'call.bye')).toEqual([{ callId: aliceCall.callId }]);
    expect(alicePc.closed).toBe(true);
    expect(allEnded(snapshot(aliceCall).localStream)).toBe(true);

    await until(() => snapshot(bobCall).phase === 'ended', 'bob ended');
    expect(snapshot(bobCall).endReason).toBe('remote-hangup');
    expect(bobPc.closed).toBe(true);
    expect(allEnded(snapshot(bobCall).localStream)).toBe(true);
    // Hanging up twice does nothing.
    await aliceCall.hangUp();
    expect(h.relay.eventsFrom('u-alice', 'call.bye')).toHaveLength(1);
  });

  it('the caller cancels a ringing call with bye', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await until(() => h.bob.manager.current !== null, 'the invite');
    await aliceCall.hangUp();
    await until(() => snapshot(h.bob.manager.current).phase === 'ended', 'bob ended');
    expect(snapshot(h.bob.manager.current).endReason).toBe('remote-hangup');
  });

  it('a server-made bye keeps its reason (timeout, peer_disconnected)', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await until(() => h.bob.manager.current !== null, 'the invite');
    const bobCall = h.bob.manager.current!;
    h.relay.deliver('u-alice', 'call.bye', {
      callId: aliceCall.callId,
      from: { userId: 'u-bob', name: 'Bob' },
      reason: 'timeout',
    });
    h.relay.deliver('u-bob', 'call.bye', {
      callId: aliceCall.callId,
      from: { userId: 'u-alice', name: 'Alice' },
      reason: 'peer_disconnected',
    });
    await until(
      () => snapshot(aliceCall).phase === 'ended' && snapshot(bobCall).phase === 'ended',
      'both ended',
    );
    expect(snapshot(aliceCall).endReason).toBe('timeout');
    expect(snapshot(bobCall).endReason).toBe('peer_disconnected');
  });

  it('a callee whose camera fails declines with media-error and shows the error', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    await until(() => h.bob.manager.current !== null, 'the invite');
    const bobCall = h.bob.manager.current!;
    h.bob.getUserMedia.failNext('NotReadableError', 'Could not start video source');
    await expect(bobCall.accept()).rejects.toMatchObject({
      name: 'CallMediaError',
      mediaError: { name: 'NotReadableError' },
    });
    expect(snapshot(bobCall)).toMatchObject({
      phase: 'ended',
      endReason: 'media-error',
      error: { name: 'NotReadableError', message: 'Could not start video source' },
    });
    await until(() => h.relay.eventsFrom('u-bob', 'call.decline').length === 1, 'the decline');
    expect(h.relay.eventsFrom('u-bob', 'call.decline')).toEqual([
      { callId: aliceCall.callId, reason: 'media-error' },
    ]);
    await until(() => snapshot(aliceCall).phase === 'ended', 'alice ended');
    expect(snapshot(aliceCall).endReason).toBe('declined');
  });

  it('a new invite replaces an ended call at once', async () => {
    const h = await createHarness();
    const first = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    await until(() => h.bob.manager.current !== null, 'the invite');
    await h.bob.manager.current!.decline();
    await until(() => snapshot(first).phase === 'ended', 'first ended');
    const second = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    expect(h.alice.manager.current).toBe(second);
    await until(() => h.bob.manager.current?.callId === second.callId, 'the second invite');
    expect(snapshot(h.bob.manager.current)).toMatchObject({ phase: 'ringing-in', video: true });
  });

  it('answered elsewhere: the ringing prompt ends quietly with its own end state, nothing sent', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: true });
    const bobCall = await bobRinging(h);
    await until(() => bobCall.getPeerConnection() !== null, 'bob’s peer connection');
    // Another of Bob's sessions accepted: the server tells this one.
    h.relay.deliver('u-bob', 'call.bye', {
      callId: aliceCall.callId,
      from: { userId: 'u-alice', name: 'Alice' },
      reason: CallEndReason.AnsweredElsewhere,
    });
    expect(snapshot(bobCall)).toMatchObject({
      phase: 'ended',
      endReason: CallEndState.AnsweredElsewhere,
      error: null,
    });
    expect(snapshot(bobCall).endReason).not.toBe(CallEndState.Timeout);
    expect(fakePc(bobCall).closed).toBe(true);
    expect(h.bob.getUserMedia.calls).toEqual([]); // no camera opened for it
    await h.bob.client.request('ping', {});
    const bobCallFrames = h.relay.received.filter(
      (entry) => entry.from === 'u-bob' && entry.event.startsWith('call.'),
    );
    expect(bobCallFrames).toEqual([]);
  });
});
