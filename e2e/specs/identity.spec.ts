/**
 * One person, one member: the web app keeps the user's identity in the browser, so a reload and
 * a second tab are the same user (same userId), and the room counts users, not sessions.
 *
 * What Bob's page shows is recorded by a MutationObserver during the whole test (see
 * ../support/member-watch.ts), so a ghost or a wrong count shown for a moment is caught too.
 * That nothing more arrives later (a leave when a closed page's grace period ends) is proven by
 * a witness who joins and leaves after it (../support/presence-witness.ts), not by a wait.
 */
import { expect } from '@playwright/test';
import { expectOpenWsConnections } from '../support/api-metrics.js';
import { ENV } from '../support/env.js';
import {
  describeSnapshots,
  MemberWatch,
  timesListed,
  type MemberSnapshot,
} from '../support/member-watch.js';
import { PresenceWitness } from '../support/presence-witness.js';
import { joinBoth, RECOVERY_TIMEOUT_MS, uniqueRoomName, uniqueText } from '../support/room-page.js';
import { test } from '../support/chat-test.js';

/** The api's resume grace in this suite: a closed page's user stays a member for this long. */
const graceMs = (): number => Number(process.env[ENV.resumeGraceMs] ?? 5_000);

/**
 * Expects every snapshot to list each of `userIds` exactly once, no user twice, and to count
 * what it lists.
 */
function expectEachListedOnce(
  snapshots: readonly MemberSnapshot[],
  userIds: Readonly<Record<string, string>>,
  what: string,
): void {
  expect(snapshots.length, `${what}: recorded states`).toBeGreaterThan(0);
  const seen = describeSnapshots(snapshots);
  for (const snapshot of snapshots) {
    for (const [name, userId] of Object.entries(userIds)) {
      expect(timesListed(snapshot, userId), `${what}: ${name} listed once in\n${seen}`).toBe(1);
    }
    const distinct = new Set(snapshot.members.map((member) => member.userId));
    expect(distinct.size, `${what}: nobody listed twice in\n${seen}`).toBe(snapshot.members.length);
    expect(snapshot.online, `${what}: the count matches the list in\n${seen}`).toBe(
      String(snapshot.members.length),
    );
  }
}

test.describe('one user across reloads and tabs', () => {
  test('a reload keeps Ann the same user: no ghost, "2 online" throughout, her messages still hers', async ({
    baseURL,
    users,
    ann,
    bob,
  }) => {
    test.setTimeout(120_000);
    const room = uniqueRoomName('reload');
    await joinBoth(users, room);
    const annId = await ann.userId();
    const bobId = await bob.userId();

    const before = [uniqueText('Ann before the reload'), uniqueText('Bob before the reload')];
    await ann.send(before[0]!);
    for (const user of users) await user.expectOneMessage(before[0]!, 'Ann');
    await bob.send(before[1]!);
    for (const user of users) await user.expectMessagesInOrder(before);
    await ann.expectOwnMark(before[0]!, true);
    await ann.expectOwnMark(before[1]!, false);

    // Only Ann's and Bob's pages are connected; from here on Bob's page is recorded.
    await expectOpenWsConnections(2);
    const watch = await MemberWatch.start(bob.page);

    await ann.page.reload();
    await ann.expectReady();
    expect(await ann.userId(), 'Ann: the same userId after the reload').toBe(annId);
    await expect(ann.roomTitle).toHaveText(room);
    await ann.expectMembers(['Ann', 'Bob']);
    // The api has seen the old page's socket close (its session is in its grace period) and
    // holds the new one.
    await expectOpenWsConnections(2);

    // Cid's arrival: every presence change the reload caused has reached Bob's page by now.
    const witness = await PresenceWitness.join(
      bob.browser,
      baseURL,
      room,
      'Cid',
      [ann, bob],
      ['Ann', 'Bob', 'Cid'],
    );
    const duringReload = (await watch.snapshots()).filter(
      (snapshot) => !snapshot.members.some((member) => member.name === 'Cid'),
    );
    expectEachListedOnce(duringReload, { Ann: annId, Bob: bobId }, 'Bob during the reload');
    for (const snapshot of duringReload) {
      expect(
        snapshot.online,
        `Bob's count during the reload:\n${describeSnapshots(duringReload)}`,
      ).toBe('2');
    }

    // Cid leaves after the old page's socket closed, so its grace period ended first: had it
    // made Ann leave, Bob would have seen that before Cid's leave.
    await witness.leave([ann, bob], ['Ann', 'Bob'], graceMs() + RECOVERY_TIMEOUT_MS);
    expectEachListedOnce(await watch.snapshots(), { Ann: annId, Bob: bobId }, 'Bob, whole test');

    // Ann's earlier message is still hers on the reloaded page, and new messages go both ways.
    await ann.expectMessagesInOrder(before);
    await ann.expectOwnMark(before[0]!, true);
    await ann.expectOwnMark(before[1]!, false);
    const after = [uniqueText('Ann after the reload'), uniqueText('Bob after the reload')];
    await ann.send(after[0]!);
    for (const user of users) await user.expectOneMessage(after[0]!, 'Ann');
    await bob.send(after[1]!);
    for (const user of users) {
      const seqs = await user.expectMessagesInOrder([...before, ...after]);
      expect(seqs, `${user.name}: consecutive seqs`).toEqual(seqs.map((_, i) => seqs[0]! + i));
      await expect(user.messages).toHaveCount(4);
      for (const text of [before[0]!, after[0]!])
        await expect(user.messagesWithText(text)).toHaveAttribute('data-from', annId);
      await expect(user.pending).toHaveCount(0);
    }
    await ann.expectOwnMark(after[0]!, true);
    await ann.expectOwnMark(after[1]!, false);
    await bob.expectOwnMark(before[0]!, false);
    await bob.expectOwnMark(after[0]!, false);
    await bob.expectOwnMark(after[1]!, true);
  });

  test('two tabs of one browser are one member; she leaves only when her last tab closes', async ({
    baseURL,
    users,
    ann,
    bob,
  }, testInfo) => {
    test.setTimeout(120_000);
    const room = uniqueRoomName('tabs');
    await joinBoth(users, room);
    const annId = await ann.userId();
    const bobId = await bob.userId();
    await expectOpenWsConnections(2);
    const watch = await MemberWatch.start(bob.page);

    // Ann opens the room in a second tab: the same user, not a second Ann.
    const annTab = await ann.openTab(`/rooms/${room}`);
    await annTab.expectReady();
    expect(await annTab.userId(), 'Ann: the same userId in both tabs').toBe(annId);
    await expect(annTab.roomTitle).toHaveText(room);
    await annTab.expectMembers(['Ann', 'Bob']);
    await expect(
      annTab.members.and(annTab.page.locator(`[data-user-id="${annId}"]`)),
      'Ann: her own item in the second tab is marked as hers',
    ).toHaveAttribute('data-you', 'true');
    await expectOpenWsConnections(3);

    // Cid's arrival: the second tab's join has reached Bob's page if it made any change.
    const witness = await PresenceWitness.join(
      bob.browser,
      baseURL,
      room,
      'Cid',
      [ann, annTab, bob],
      ['Ann', 'Bob', 'Cid'],
    );
    const withTwoTabs = (await watch.snapshots()).filter(
      (snapshot) => !snapshot.members.some((member) => member.name === 'Cid'),
    );
    expectEachListedOnce(withTwoTabs, { Ann: annId, Bob: bobId }, 'Bob, Ann in two tabs');
    for (const snapshot of withTwoTabs) {
      expect(
        snapshot.online,
        `Bob's count, Ann in two tabs:\n${describeSnapshots(withTwoTabs)}`,
      ).toBe('2');
    }

    // One of Ann's tabs closes; the api sees its socket close before Cid leaves, so that tab's
    // grace period ends before Cid's: Bob sees Cid go and Ann stay.
    await ann.page.close();
    await expectOpenWsConnections(3);
    await witness.leave([annTab, bob], ['Ann', 'Bob'], graceMs() + RECOVERY_TIMEOUT_MS);
    expectEachListedOnce(
      await watch.snapshots(),
      { Ann: annId, Bob: bobId },
      'Bob, one tab closed',
    );
    // Still a member for the api too: the remaining tab sends, Bob receives.
    const text = uniqueText('Ann from her other tab');
    await annTab.send(text);
    await bob.expectOneMessage(text, 'Ann');
    await annTab.expectOwnMark(text, true);

    // Her last tab closes: Ann leaves, once the grace period is over.
    const closedAt = Date.now();
    await annTab.page.close();
    await bob.expectMembers(['Bob'], graceMs() + RECOVERY_TIMEOUT_MS);
    const leftAfter = Date.now() - closedAt;
    testInfo.annotations.push({
      type: 'timing',
      description: `last tab closed → Bob shows Ann gone ${leftAfter} ms (grace ${graceMs()} ms)`,
    });
    expect(leftAfter, 'Ann stayed a member for the grace period').toBeGreaterThanOrEqual(graceMs());
    const snapshots = await watch.snapshots();
    const last = snapshots.at(-1)!;
    expect(last.members.map((member) => member.userId)).toEqual([bobId]);
    // Until then she was listed once in every state Bob's page showed.
    expectEachListedOnce(
      snapshots.slice(0, -1),
      { Ann: annId, Bob: bobId },
      'Bob, before she left',
    );
  });

  test('a new name taken in one tab reaches the room at once: Bob sees it, her room tab takes it', async ({
    users,
    ann,
    bob,
  }) => {
    test.setTimeout(90_000);
    const room = uniqueRoomName('rename');
    await joinBoth(users, room);
    const annId = await ann.userId();
    const earlier = uniqueText('Ann under her first name');
    await ann.send(earlier);
    await bob.expectOneMessage(earlier, 'Ann');

    // In a second tab, on the lobby, Ann saves a new name; her room tab is not touched.
    const lobby = await ann.openTab('/');
    const nameInput = lobby.page.getByTestId('name-input');
    await expect(nameInput).toBeEnabled({ timeout: 20_000 });
    await nameInput.fill('Annie');
    await lobby.page.getByTestId('name-save').click();

    await bob.expectMembers(['Annie', 'Bob']);
    await ann.expectMembers(['Annie', 'Bob']);
    await expect(
      ann.page.getByTestId('connection-badge'),
      'Ann: the header names her',
    ).toHaveAttribute('title', 'Connected as Annie');
    await expect(
      bob.members.and(bob.page.locator(`[data-user-id="${annId}"]`)),
      'Bob: the renamed member is the same user',
    ).toHaveAttribute('data-name', 'Annie');
    // The room tab, never reloaded, sends under the new name; what she sent before keeps the old.
    const later = uniqueText('Ann under her new name');
    await ann.send(later);
    await bob.expectOneMessage(later, 'Annie');
    await bob.expectOneMessage(earlier, 'Ann');
    // And it remembers the name for its next hello: a reload shows Annie, not Ann again.
    await ann.page.reload();
    await ann.expectReady();
    await ann.expectMembers(['Annie', 'Bob']);
    await bob.expectMembers(['Annie', 'Bob']);
  });
});
