import { describe, expect, it } from 'vitest';
import { bobRinging, createHarness, fakePc, snapshot, until } from './harness.js';

describe('the first offer is the caller’s', () => {
  it('a negotiationneeded on the callee before the caller’s offer makes no offer; the call connects on the caller’s', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const bobCall = await bobRinging(h);
    h.relay.holdIf = (event, _data, to) => to === 'u-bob' && event === 'call.offer';
    await bobCall.accept();
    await until(() => h.relay.held.length === 1, 'the caller’s offer held');
    const bobPc = fakePc(bobCall);

    bobPc.onnegotiationneeded?.({});
    // An offer would have begun with a synchronous setLocalDescription.
    expect(bobPc.started).not.toContain('setLocalDescription');
    expect(bobPc.signalingState).toBe('stable');

    h.relay.release();
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    await h.bob.client.request('ping', {}); // barrier: all bob sent is at the relay
    expect(bobPc.offersMade).toEqual([]);
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
    expect(h.relay.eventsFrom('u-bob', 'call.answer')).toHaveLength(1);
  });

  it('a callee whose session resumed before the caller’s offer restarts nothing (there is no ICE yet)', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const bobCall = await bobRinging(h);
    h.relay.holdIf = (event, _data, to) => to === 'u-bob' && event === 'call.offer';
    await bobCall.accept();
    await until(() => h.relay.held.length === 1, 'the caller’s offer held');

    h.relay.socketOf('u-bob').serverClose(1001, 'going away');
    await until(() => h.bob.client.state === 'ready', 'bob resumed');
    expect(h.bob.client.session?.resumed).toBe(true);
    await h.bob.client.request('ping', {});
    expect(fakePc(bobCall).log).not.toContain('restartIce');
    expect(fakePc(bobCall).started).not.toContain('setLocalDescription');
    expect(snapshot(bobCall).phase).toBe('connecting');

    h.relay.release();
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
  });
});
