import { describe, expect, it } from 'vitest';
import type { CallSession } from '../../src/call/index.js';
import { bobRinging, createHarness, fakePc, snapshot, until, type Harness } from './harness.js';

/**
 * Alice calls Bob (audio only) and Bob accepts, while Alice's offer waits at the relay: the
 * relay drops the invite's offer (as a server of revision 1), so the offer comes as `call.offer`.
 */
async function acceptedBeforeTheOffer(): Promise<{
  h: Harness;
  aliceCall: CallSession;
  bobCall: CallSession;
}> {
  const h = await createHarness();
  h.relay.offersInInvites = false;
  const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
  const bobCall = await bobRinging(h);
  h.relay.holdIf = (event, _data, to) => to === 'u-bob' && event === 'call.offer';
  await bobCall.accept();
  await until(() => h.relay.held.length === 1, 'the caller’s offer held');
  return { h, aliceCall, bobCall };
}

/** Delivers Alice's held offer; resolves once both calls are connected. */
async function deliverTheOffer(
  h: Harness,
  aliceCall: CallSession,
  bobCall: CallSession,
): Promise<void> {
  h.relay.release();
  await until(
    () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
    'connected',
  );
}

describe('the first offer is the caller’s', () => {
  it('a negotiationneeded on the callee before the caller’s offer makes no offer; the call connects on the caller’s', async () => {
    const { h, aliceCall, bobCall } = await acceptedBeforeTheOffer();
    const bobPc = fakePc(bobCall);

    bobPc.onnegotiationneeded?.({});
    // An offer would have begun with a synchronous setLocalDescription.
    expect(bobPc.started).not.toContain('setLocalDescription');
    expect(bobPc.signalingState).toBe('stable');

    await deliverTheOffer(h, aliceCall, bobCall);
    await h.bob.client.request('ping', {}); // barrier: all bob sent is at the relay
    expect(bobPc.offersMade).toEqual([]);
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
    expect(h.relay.eventsFrom('u-bob', 'call.answer')).toHaveLength(1);
  });

  it('a callee whose session resumed before the caller’s offer restarts nothing (there is no ICE yet)', async () => {
    const { h, aliceCall, bobCall } = await acceptedBeforeTheOffer();

    h.relay.socketOf('u-bob').serverClose(1001, 'going away');
    await until(() => h.bob.client.state === 'ready', 'bob resumed');
    expect(h.bob.client.session?.resumed).toBe(true);
    await h.bob.client.request('ping', {});
    expect(fakePc(bobCall).log).not.toContain('restartIce');
    expect(fakePc(bobCall).started).not.toContain('setLocalDescription');
    expect(snapshot(bobCall).phase).toBe('connecting');

    await deliverTheOffer(h, aliceCall, bobCall);
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
  });

  it('a negotiationneeded on the callee ringing with the invite’s offer applied makes no offer; the accept answers it', async () => {
    const h = await createHarness();
    const aliceCall = await h.alice.manager.call('u-bob', 'lobby', { video: false });
    const bobCall = await bobRinging(h);
    await until(
      () => bobCall.getPeerConnection()?.signalingState === 'have-remote-offer',
      'the invite’s offer applied',
    );
    const bobPc = fakePc(bobCall);

    bobPc.onnegotiationneeded?.({});
    // An offer, or an answer, would have begun with a synchronous setLocalDescription.
    expect(bobPc.started).not.toContain('setLocalDescription');

    await bobCall.accept();
    await until(
      () => snapshot(aliceCall).phase === 'connected' && snapshot(bobCall).phase === 'connected',
      'connected',
    );
    await h.bob.client.request('ping', {}); // barrier: all bob sent is at the relay
    expect(bobPc.offersMade).toEqual([]);
    expect(bobPc.started.filter((step) => step === 'setLocalDescription')).toHaveLength(1);
    expect(h.relay.eventsFrom('u-bob', 'call.offer')).toEqual([]);
    expect(h.relay.eventsFrom('u-bob', 'call.accept')[0]?.sdp).toBe(bobPc.localDescription?.sdp);
  });
});
