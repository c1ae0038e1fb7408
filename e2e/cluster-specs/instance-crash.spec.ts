/**
 * `kill -9` of the api instance that holds one party of a video call (Ann): her page
 * reconnects by itself through nginx to another instance and resumes its session there (the
 * client sends its resume token; any instance can claim it from Redis), the call recovers by
 * an ICE restart (the client restarts ICE after a resume, since what the peer sent meanwhile
 * was lost) and goes on with media both ways, and the chat before, during and after the crash
 * lost nothing and doubled nothing on either page.
 *
 * Absences are checked behind barriers, not after sleeps:
 * - the crash's clean-up by the surviving instances (within 1.25 × INSTANCE_LEASE_MS) is seen
 *   as the leave of Carol, a witness connected straight to the killed instance that never
 *   reconnects: the survivors end the dead instance's sessions before they drop its presence,
 *   so once both pages see Carol leave, whatever the clean-up did to Ann's resumed session
 *   has happened;
 * - Dave then joins: once both pages list him, every presence change made before has reached
 *   them (presence frames of a room come in one order), so the lists are final.
 */
import { expect, test } from '@playwright/test';
import {
  attachClusterState,
  clusterInstances,
  describeCounts,
  ensureClusterRunning,
  expectWsConnectionTotal,
  kill9Instance,
  LEASE_REAPS,
  metricByInstance,
} from '../support/cluster-api.js';
import { localIceUfrag, expectMediaBothWays } from '../support/cluster-media.js';
import {
  badgeChanges,
  describeBadgeChanges,
  expectReconnectedSince,
  joinOnDifferentInstances,
  watchBadge,
  Witness,
} from '../support/cluster-pages.js';
import {
  closeCallUsers,
  connectCall,
  launchCallUsers,
  record,
  type CallUser,
} from '../support/call-page.js';
import { describeSnapshots, MemberWatch, timesListed } from '../support/member-watch.js';
import { uniqueRoomName, uniqueText, type ChatUser } from '../support/room-page.js';

/** 1.25 × the default INSTANCE_LEASE_MS (10 s), with room for two busy cores. */
const REAPED_WITHIN_MS = 30_000;

test.describe('an api instance killed mid-call', () => {
  let users: CallUser[] = [];
  let witnesses: Witness[] = [];

  test.beforeEach(async () => {
    await ensureClusterRunning();
  });

  test.afterEach(async ({}, testInfo) => {
    for (const witness of witnesses) witness.close();
    witnesses = [];
    await closeCallUsers(users, testInfo);
    users = [];
    await attachClusterState(testInfo);
    // The next test gets three instances again.
    await ensureClusterRunning();
  });

  test('kill -9 of one party’s instance: the page resumes elsewhere, the call recovers, chat intact', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(150_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    const chats = users.map((user) => user.chat) as [ChatUser, ChatUser];
    const room = uniqueRoomName('cluster-crash');
    const [annOn, bobOn] = (await joinOnDifferentInstances(chats, room, testInfo)) as [
      number,
      number,
    ];
    for (const user of users) await user.startTrace();

    await connectCall(ann, bob, true, testInfo);
    await expectMediaBothWays(users, testInfo, 'before the crash: ');

    const before = [uniqueText('Ann before the crash'), uniqueText('Bob before the crash')];
    await ann.chat.send(before[0]!);
    for (const chat of chats) await chat.expectOneMessage(before[0]!, 'Ann');
    await bob.chat.send(before[1]!);
    for (const chat of chats) await chat.expectMessagesInOrder(before);

    // Carol: straight on Ann's instance, she goes down with it and never comes back.
    const instances = await clusterInstances();
    witnesses.push(await Witness.join(instances[annOn]!, 'Carol', room));
    for (const chat of chats) await chat.expectMembers(['Ann', 'Bob', 'Carol']);
    await expectWsConnectionTotal(3);

    const survivors = instances.map((_, index) => index).filter((index) => index !== annOn);
    const reapsBefore = await metricByInstance(LEASE_REAPS);
    const ufragBefore = await localIceUfrag(ann);
    expect(ufragBefore, 'Ann: local ICE ufrag before the crash').toMatch(/\S/);
    for (const chat of chats) {
      await chat.markPage();
      await watchBadge(chat.page);
    }
    const bobWatch = await MemberWatch.start(bob.page);
    const annId = await ann.chat.userId();

    // --- the crash -------------------------------------------------------------------------
    const killedAt = Date.now();
    const killed = await kill9Instance(annOn);
    record(testInfo, 'crash', `instance ${annOn} (Ann's) killed: ${killed.exit}`);

    // Ann writes while her instance is gone (queued, or sent at once if she is already back).
    const during = uniqueText('Ann right after the crash');
    await ann.chat.send(during);

    // Ann's page reconnects by itself, through nginx, to a surviving instance.
    const states = await expectReconnectedSince(ann.chat, killedAt);
    record(
      testInfo,
      'reconnect',
      `Ann's badge since the kill: ${describeBadgeChanges(states, killedAt)}`,
    );
    await expect(ann.chat.reconnectingBanner).toHaveCount(0);
    const counts = await expectWsConnectionTotal(2);
    expect(counts[annOn], `the killed instance ${annOn} answers no metrics`).toBeNull();
    const annNow =
      counts[bobOn] === 2
        ? bobOn
        : survivors.find((index) => index !== bobOn && counts[index] === 1);
    expect(annNow, `Ann's new instance (${describeCounts(counts)})`).toBeDefined();
    record(
      testInfo,
      'placement',
      `after the crash: Ann on instance ${annNow}, Bob on ${bobOn} (${describeCounts(counts)})`,
    );

    // The call: Ann's client restarted ICE after its session resumed (a new ICE ufrag), and the
    // call is connected with media both ways, no error on either side.
    await expect
      .poll(() => localIceUfrag(ann), {
        message: 'Ann: ICE restarted (new ufrag)',
        timeout: 20_000,
      })
      .not.toBe(ufragBefore);
    for (const user of users) {
      await user.expectPhase('connected');
      await expect(user.error, `${user.name}: no call error`).toHaveCount(0);
    }
    await expectMediaBothWays(users, testInfo, 'after the crash: ');
    const iceRestart = (await ann.trace()).filter((entry) => entry.t >= killedAt);
    record(
      testInfo,
      'call',
      `Ann's call since the kill: ${iceRestart.map((e) => `${e.what}@+${e.t - killedAt}`).join(', ')}`,
    );

    // --- the survivors clean up after the dead instance ------------------------------------
    for (const chat of chats) await chat.expectMembers(['Ann', 'Bob'], REAPED_WITHIN_MS);
    const reapsAfter = await metricByInstance(LEASE_REAPS);
    const reaped = survivors.reduce(
      (sum, index) => sum + (reapsAfter[index] ?? 0) - (reapsBefore[index] ?? 0),
      0,
    );
    const carolGone = (await bobWatch.snapshots()).find(
      (snapshot) => snapshot.t >= killedAt && !snapshot.members.some((m) => m.name === 'Carol'),
    );
    record(
      testInfo,
      'reap',
      `Carol gone from Bob's page ${carolGone ? carolGone.t - killedAt : '?'} ms after the kill; ` +
        `duplex_lease_reaps_total on the survivors +${reaped}`,
    );
    expect(reaped, 'reaps of the dead instance by the survivors').toBeGreaterThanOrEqual(1);

    const dave = await Witness.join(instances[bobOn]!, 'Dave', room);
    witnesses.push(dave);
    for (const chat of chats) await chat.expectMembers(['Ann', 'Bob', 'Dave']);
    // Ann's resumed session outlived the clean-up: listed all along on Bob's page, once.
    const snapshots = await bobWatch.snapshots();
    expect(
      snapshots.filter((snapshot) => timesListed(snapshot, annId) !== 1),
      `Bob's page listed Ann once all along:\n${describeSnapshots(snapshots)}`,
    ).toEqual([]);
    // Bob's page never noticed anything, all along: his instance lives.
    expect(
      (await badgeChanges(bob.page)).filter((change) => change.t >= killedAt),
      'Bob: badge changes since the kill',
    ).toEqual([]);

    // And her call with it.
    for (const user of users) {
      await expect(user.state, `${user.name}: call after the clean-up`).toHaveAttribute(
        'data-phase',
        'connected',
      );
      await expect(user.error).toHaveCount(0);
    }

    // --- chat: nothing lost, nothing doubled ------------------------------------------------
    const after = [uniqueText('Bob after the crash'), uniqueText('Ann after the crash')];
    await bob.chat.send(after[0]!);
    for (const chat of chats) await chat.expectOneMessage(after[0]!, 'Bob');
    await ann.chat.send(after[1]!);
    const all = [...before, during, ...after];
    for (const chat of chats) {
      const seqs = await chat.expectMessagesInOrder(all);
      expect(seqs, `${chat.name}: consecutive seqs`).toEqual(seqs.map((_, i) => seqs[0]! + i));
      await expect(chat.messages, `${chat.name}: messages`).toHaveCount(all.length);
      await expect(chat.pending).toHaveCount(0);
      await chat.expectNotReloaded();
    }

    await ann.hangup.click();
    await Promise.all(users.map((user) => user.expectPhase('ended', 10_000)));
    await expect(bob.state).toHaveAttribute('data-end-reason', 'remote-hangup');
  });
});
