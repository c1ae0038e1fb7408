/**
 * A relay-only call: both pages are loaded with `?relay=1` (the web app's switch for
 * `iceTransportPolicy: 'relay'`), so media can only flow through the TURN server. Global setup
 * started a real coturn on loopback with a fresh shared secret and gave the api its URLs and
 * secret; the call connecting over relay candidates proves coturn accepted the TURN REST
 * credentials the api handed the browsers.
 *
 * Needs coturn (/usr/bin/turnserver): without it this test FAILS (it does not skip), saying
 * what to install; e2e/run.sh installs it when run as root.
 */
import { expect, test } from '@playwright/test';
import {
  closeCallUsers,
  joinCallRoom,
  launchCallUsers,
  placeAcceptedCall,
  record,
  type CallUser,
} from '../support/call-page.js';
import { ENV } from '../support/env.js';
import { uniqueRoomName } from '../support/room-page.js';

test.describe('calls through TURN', () => {
  let users: CallUser[] = [];

  test.afterEach(async ({}, testInfo) => {
    await closeCallUsers(users, testInfo);
    users = [];
  });

  test('a relay-only video call connects through coturn with the api’s credentials', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    const unavailable = process.env[ENV.turnUnavailable];
    if (unavailable) throw new Error(`e2e: no TURN server for the relay-only call: ${unavailable}`);
    const turnUrls = (process.env[ENV.turnUrls] ?? '').split(',').filter(Boolean);
    expect(turnUrls.length, `${ENV.turnUrls} (set by global setup)`).toBeGreaterThan(0);

    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('relay'), { relay: true });

    const { invited, accepted, connected } = await placeAcceptedCall(ann, bob, true);
    record(
      testInfo,
      'timing',
      `relay: accept click → both connected ${connected - accepted} ms; invite click → both ` +
        `connected ${connected - invited} ms (includes the test's accept click)`,
    );

    for (const user of users) {
      // The page really asked for relay only, with the TURN server global setup started.
      const pair = await user.selectedCandidatePair();
      expect(pair, `${user.name}: a selected candidate pair`).not.toBeNull();
      expect(pair!.iceTransportPolicy, `${user.name}: iceTransportPolicy`).toBe('relay');
      const urls = await user.iceServerUrls();
      for (const url of turnUrls)
        expect(urls, `${user.name}: ICE servers from the api`).toContain(url);
      record(
        testInfo,
        'route',
        `${user.name}: ${pair!.local.candidateType} ${pair!.local.protocol} ` +
          `${pair!.local.address}:${pair!.local.port} (relay over ${pair!.local.relayProtocol ?? '?'}, ` +
          `${pair!.local.url ?? '?'}) → ${pair!.remote.candidateType} ` +
          `${pair!.remote.address}:${pair!.remote.port}, pair ${pair!.state} (via ${pair!.via})`,
      );
      expect(pair!.local.candidateType, `${user.name}: local candidate of the selected pair`).toBe(
        'relay',
      );
      expect(
        pair!.remote.candidateType,
        `${user.name}: remote candidate of the selected pair`,
      ).toBe('relay');
    }

    const flows = await Promise.all(users.map((user) => user.expectDecodingVideo()));
    for (const [index, user] of users.entries()) {
      const flow = flows[index]!;
      record(
        testInfo,
        'video',
        `${user.name} decodes ${flow.fps} fps through TURN (framesDecoded ${flow.before} → ` +
          `${flow.after}), remote-video ${flow.videoWidth}x${flow.videoHeight}`,
      );
      await user.expectShowsRemoteVideo(flow);
      // The quality panel's route says so too (its stats are sampled once a second).
      await expect(user.page.getByTestId('call-stat-route')).toContainText('via TURN');
    }
    // Still relayed once media flowed.
    for (const user of users) {
      expect((await user.selectedCandidatePair())?.local.candidateType).toBe('relay');
    }

    await ann.hangup.click();
    await Promise.all([ann.expectPhase('ended', 5_000), bob.expectPhase('ended', 5_000)]);
  });
});
