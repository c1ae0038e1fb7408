/**
 * A video call between two browsers whose sockets sit on different api instances: the call's
 * signalling crosses instances (Redis, the callee's user channel), and the media flow both
 * ways: video frames decoded on each side, the peer's audio measured on each side.
 */
import { expect, test } from '@playwright/test';
import {
  attachClusterState,
  ensureClusterRunning,
  expectWsConnectionTotal,
} from '../support/cluster-api.js';
import { joinOnDifferentInstances } from '../support/cluster-pages.js';
import {
  closeCallUsers,
  connectCall,
  launchCallUsers,
  record,
  type CallUser,
} from '../support/call-page.js';
import { uniqueRoomName } from '../support/room-page.js';
import { expectMediaBothWays } from '../support/cluster-media.js';

test.describe('calls across api instances', () => {
  let users: CallUser[] = [];

  test.beforeEach(async () => {
    await ensureClusterRunning();
  });

  test.afterEach(async ({}, testInfo) => {
    await closeCallUsers(users, testInfo);
    users = [];
    await attachClusterState(testInfo);
  });

  test('a video call between pages on different instances has media both ways', async ({
    baseURL,
  }, testInfo) => {
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    const [annOn, bobOn] = (await joinOnDifferentInstances(
      users.map((user) => user.chat),
      uniqueRoomName('cluster-call'),
      testInfo,
    )) as [number, number];
    for (const user of users) await user.startTrace();

    await connectCall(ann, bob, true, testInfo);
    await expectMediaBothWays(users, testInfo);

    // The call did not move anyone: the sockets are where they were placed.
    const counts = await expectWsConnectionTotal(2);
    expect(counts[annOn], `Ann's instance ${annOn}`).toBe(1);
    expect(counts[bobOn], `Bob's instance ${bobOn}`).toBe(1);
    record(testInfo, 'placement', `the call ran between instances ${annOn} and ${bobOn}`);

    // Bob hangs up on his instance; Ann's, another one, ends her side with the reason.
    await bob.hangup.click();
    await Promise.all(users.map((user) => user.expectPhase('ended', 10_000)));
    await expect(bob.state).toHaveAttribute('data-end-reason', 'hangup');
    await expect(ann.state).toHaveAttribute('data-end-reason', 'remote-hangup');
    await expect(ann.state).toContainText('Bob hung up');
  });
});
