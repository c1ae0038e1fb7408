/**
 * A rolling restart of all three api instances during a chat: each in turn gets SIGTERM (it
 * closes its sockets with 1001), both pages write while it is down, it starts again on the same
 * port, and the next one goes once it answers /ready. Every page recovers by itself (no reload:
 * each was on an instance that went, so each reconnected at least once), the history is intact
 * and nothing shows twice, on the pages and in a fresh page that loads the room's history.
 *
 * Presence is checked behind barriers (see instance-crash.spec.ts): a witness on each instance,
 * connected straight to it and never reconnecting, leaves once the others have ended the
 * stopped instance's sessions that did not resume; once the last has left and Dave's join has
 * reached both pages, neither page may ever have shown the other user gone or twice.
 */
import { expect, test } from '@playwright/test';
import {
  attachClusterState,
  clusterInstances,
  describeCounts,
  ensureClusterRunning,
  expectWsConnectionTotal,
  startInstance,
  stopInstance,
} from '../support/cluster-api.js';
import {
  badgeChanges,
  describeBadgeChanges,
  joinOnDifferentInstances,
  orderShownBy,
  watchBadge,
  Witness,
} from '../support/cluster-pages.js';
import { record } from '../support/call-page.js';
import { CLUSTER_SIZE } from '../support/cluster-env.js';
import { describeSnapshots, MemberWatch, timesListed } from '../support/member-watch.js';
import {
  closeChatUsers,
  launchChatUsers,
  RECOVERY_TIMEOUT_MS,
  uniqueRoomName,
  uniqueText,
  type ChatUser,
} from '../support/room-page.js';

/** The api's RESUME_GRACE_MS (5 s) and a quarter lease (2.5 s), with room for busy cores. */
const ENDED_WITHIN_MS = 30_000;

test.describe('a rolling restart of every api instance', () => {
  let users: ChatUser[] = [];
  let witnesses: Witness[] = [];

  test.beforeEach(async () => {
    await ensureClusterRunning();
  });

  test.afterEach(async ({}, testInfo) => {
    for (const witness of witnesses) witness.close();
    witnesses = [];
    await closeChatUsers(users, testInfo);
    users = [];
    await attachClusterState(testInfo);
    await ensureClusterRunning();
  });

  test('SIGTERM and restart each instance in turn: pages recover by themselves, history intact', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(150_000);
    users = await launchChatUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [ChatUser, ChatUser];
    const room = uniqueRoomName('cluster-rolling');
    await joinOnDifferentInstances(users, room, testInfo);
    const annId = await ann.userId();
    const bobId = await bob.userId();

    const instances = await clusterInstances();
    for (const instance of instances)
      witnesses.push(await Witness.join(instance, `Witness ${instance.index}`, room));
    const witnessNames = witnesses.map((witness) => witness.name);
    for (const user of users) await user.expectMembers(['Ann', 'Bob', ...witnessNames]);
    await expectWsConnectionTotal(2 + CLUSTER_SIZE);

    let sent: string[] = [uniqueText('Ann before the restarts'), uniqueText('Bob before')];
    await ann.send(sent[0]!);
    for (const user of users) await user.expectOneMessage(sent[0]!, 'Ann');
    await bob.send(sent[1]!);
    for (const user of users) await user.expectMessagesInOrder(sent);

    const startedAt = Date.now();
    const watches = new Map<ChatUser, MemberWatch>();
    for (const user of users) {
      await user.markPage();
      await watchBadge(user.page);
      watches.set(user, await MemberWatch.start(user.page));
    }

    for (const instance of instances) {
      const i = instance.index;
      const stopped = await stopInstance(i);
      // A graceful stop, not the control's SIGKILL after 15 s.
      expect(stopped.exit, `instance ${i}: how it exited after SIGTERM`).not.toContain('SIGKILL');

      // Both write while the instance is down (each page queued or already elsewhere).
      const during = [uniqueText(`Ann while ${i} is down`), uniqueText(`Bob while ${i} is down`)];
      await ann.send(during[0]!);
      await bob.send(during[1]!);
      sent.push(...during);

      const restarted = await startInstance(i);
      record(
        testInfo,
        'restart',
        `instance ${i}: exited after SIGTERM (${stopped.exit}), ready again as pid ${restarted.pid} ` +
          `(+${Date.now() - startedAt} ms)`,
      );

      // Both pages are back by themselves and have every message once, in one order (the two
      // just written crossed: the server's seqs, as Ann's page shows them, order them).
      for (const user of users) {
        await user.expectReady(RECOVERY_TIMEOUT_MS);
        await expect(user.reconnectingBanner, `${user.name}: banner`).toHaveCount(0, {
          timeout: RECOVERY_TIMEOUT_MS,
        });
      }
      sent = await orderShownBy(ann, sent);
      for (const user of users) await user.expectMessagesInOrder(sent, RECOVERY_TIMEOUT_MS);
      const counts = await expectWsConnectionTotal(2 + CLUSTER_SIZE - 1 - i);
      record(testInfo, 'placement', `after restarting ${i}: ${describeCounts(counts)}`);
    }

    // Every instance went once, so every page reconnected at least once, by itself.
    for (const user of users) {
      const changes = await badgeChanges(user.page);
      record(
        testInfo,
        'reconnect',
        `${user.name}'s badge during the restarts: ${describeBadgeChanges(changes, startedAt)}`,
      );
      expect(
        changes.some((change) => change.state !== 'ready'),
        `${user.name}: the badge left "ready" at least once`,
      ).toBe(true);
      await user.expectReady();
      await user.expectNotReloaded();
    }

    // Presence: the witnesses' sessions ended, Ann's and Bob's (resumed elsewhere) did not.
    for (const user of users) await user.expectMembers(['Ann', 'Bob'], ENDED_WITHIN_MS);
    const dave = await Witness.join((await clusterInstances())[0]!, 'Dave', room);
    witnesses.push(dave);
    for (const user of users) await user.expectMembers(['Ann', 'Bob', 'Dave']);
    for (const [user, watch] of watches) {
      const snapshots = await watch.snapshots();
      expect(
        snapshots.filter(
          (snapshot) => timesListed(snapshot, annId) !== 1 || timesListed(snapshot, bobId) !== 1,
        ),
        `${user.name}'s page listed Ann and Bob once each all along:\n${describeSnapshots(snapshots)}`,
      ).toEqual([]);
    }

    // Nothing lost, nothing doubled: on both pages, and in the history a fresh page loads.
    const last = uniqueText('Bob after the restarts');
    await bob.send(last);
    sent.push(last);
    for (const user of users) {
      const seqs = await user.expectMessagesInOrder(sent);
      expect(seqs, `${user.name}: consecutive seqs`).toEqual(seqs.map((_, i) => seqs[0]! + i));
      await expect(user.messages, `${user.name}: messages`).toHaveCount(sent.length);
      await expect(user.pending).toHaveCount(0);
    }
    const fresh = await ann.openTab(`/rooms/${room}`);
    await fresh.expectReady();
    const seqs = await fresh.expectMessagesInOrder(sent);
    expect(seqs, 'fresh page: consecutive seqs').toEqual(seqs.map((_, i) => seqs[0]! + i));
    await expect(fresh.messages, 'fresh page: messages').toHaveCount(sent.length);
  });
});
