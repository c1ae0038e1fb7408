import { describe, expect, it } from 'vitest';
import { connectCall, createHarness, fakePc, snapshot, until } from './harness.js';

describe('stats in the snapshot', () => {
  it('samples getStats every statsIntervalMs while connected and stops when the call ends', async () => {
    const h = await createHarness({ statsIntervalMs: 10 });
    const { aliceCall } = await connectCall(h, false);
    const pc = fakePc(aliceCall);
    pc.statsReport = new Map<string, unknown>([
      ['T', { id: 'T', type: 'transport', selectedCandidatePairId: 'P' }],
      [
        'P',
        {
          id: 'P',
          type: 'candidate-pair',
          currentRoundTripTime: 0.5,
          localCandidateId: 'L',
          remoteCandidateId: 'R',
        },
      ],
      ['L', { id: 'L', type: 'local-candidate', candidateType: 'host' }],
      ['R', { id: 'R', type: 'remote-candidate', candidateType: 'host' }],
    ]);
    await until(() => snapshot(aliceCall).stats !== null, 'stats');
    expect(snapshot(aliceCall).stats).toMatchObject({
      rttMs: 500,
      quality: 'poor',
      localCandidateType: 'host',
    });

    await aliceCall.hangUp();
    const last = aliceCall.getSnapshot();
    pc.statsReport = new Map();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(aliceCall.getSnapshot()).toBe(last);
  });
});
