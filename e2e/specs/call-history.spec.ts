/**
 * Calls in the room's history: the api stores each call's outcome in the room, and both pages
 * show it as a row worded from the reader's side: Ann calls Bob, who does not answer (the api
 * runs with a short ring timeout for this spec), then a call Bob answers and Ann ends. Both rows
 * are on both pages at once, and again after a reload (from the room's stored history).
 */
import { expect, test } from '@playwright/test';
import {
  closeCallUsers,
  connectCall,
  joinCallRoom,
  launchCallUsers,
  type CallUser,
} from '../support/call-page.js';
import { uniqueRoomName } from '../support/room-page.js';
import { restartSharedApi } from '../support/shared-api.js';

/** The api's CALL_RING_TIMEOUT_MS while this spec runs (30 s by default). */
const RING_TIMEOUT_MS = 3_000;

/** A completed call lasts at least this long, so that its row shows a length above zero. */
const TALK_SECONDS = 2;

/** One call row as the page shows it. */
interface CallRow {
  seq: number;
  callId: string;
  outcome: string;
  headline: string;
  detail: string;
  /** The length of a completed call ("0:03") and its dateTime ("PT3S"); null for the others. */
  length: { text: string; iso: string } | null;
}

async function callRows(user: CallUser): Promise<CallRow[]> {
  return user.chat.messageList.getByTestId('call-record').evaluateAll((items) =>
    items.map((item) => {
      const element = item as HTMLElement;
      const text = (id: string) =>
        element.querySelector(`[data-testid="${id}"]`)?.textContent?.trim() ?? '';
      const length = element.querySelector<HTMLTimeElement>('[data-testid="call-record-length"]');
      return {
        seq: Number(element.dataset.seq),
        callId: element.dataset.callId ?? '',
        outcome: element.dataset.outcome ?? '',
        headline: text('call-record-headline'),
        detail: text('call-record-detail'),
        length: length ? { text: length.textContent ?? '', iso: length.dateTime } : null,
      };
    }),
  );
}

/** Seconds of "m:ss" or "h:mm:ss". */
function seconds(length: string): number {
  return length.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

test.describe('calls in the room’s history', () => {
  let users: CallUser[] = [];

  test.beforeAll(async () => {
    await restartSharedApi({ CALL_RING_TIMEOUT_MS: String(RING_TIMEOUT_MS) });
  });

  test.afterAll(async () => {
    // Back to the suite's settings for the specs after this one.
    await restartSharedApi();
  });

  test.afterEach(async ({}, testInfo) => {
    await closeCallUsers(users, testInfo);
    users = [];
  });

  test('a missed call and a finished call show on both sides in their words, after a reload too', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('call-history'));
    for (const user of users)
      await expect(user.chat.messageList.getByTestId('call-record')).toHaveCount(0);

    // Ann calls, Bob lets it ring until the api gives up.
    await ann.call(bob, false);
    await bob.expectIncoming(false);
    await ann.expectPhase('ended', RING_TIMEOUT_MS + 15_000);
    await expect(ann.state).toHaveAttribute('data-end-reason', 'timeout');
    await expect(ann.state).toContainText("Bob didn't answer");
    await expect(bob.incoming).toHaveCount(0);

    const missed = {
      Ann: { headline: "Bob didn't answer", detail: 'Audio call · You called Bob' },
      Bob: { headline: 'You missed a call from Ann', detail: 'Audio call · Ann called you' },
    };
    for (const user of users) {
      const row = user.chat.messageList.locator(
        '[data-testid="call-record"][data-outcome="missed"]',
      );
      await expect(row, `${user.name}: the missed call's row`).toHaveCount(1);
      const words = missed[user.name as 'Ann' | 'Bob'];
      await expect(row.getByTestId('call-record-headline')).toHaveText(words.headline);
      await expect(row.getByTestId('call-record-detail')).toHaveText(words.detail);
      await expect(row.getByTestId('call-record-length')).toHaveCount(0);
    }

    // Ann calls again; Bob answers; they talk a little; Ann hangs up.
    const beforeAccept = Date.now();
    await connectCall(ann, bob, false, testInfo);
    await expect
      .poll(async () => seconds((await ann.duration.textContent()) ?? '0'), {
        message: 'Ann: seconds on the call timer',
        timeout: 15_000,
      })
      .toBeGreaterThanOrEqual(TALK_SECONDS);
    await ann.hangup.click();
    await Promise.all([ann.expectPhase('ended', 5_000), bob.expectPhase('ended', 5_000)]);
    const upperBoundSeconds = Math.ceil((Date.now() - beforeAccept) / 1000);

    const completed = { Ann: 'You called Bob', Bob: 'Ann called you' };
    for (const user of users) {
      const row = user.chat.messageList.locator(
        '[data-testid="call-record"][data-outcome="completed"]',
      );
      await expect(row, `${user.name}: the finished call's row`).toHaveCount(1);
      await expect(row.getByTestId('call-record-headline')).toHaveText(/^Audio call · \d+:\d\d$/);
      await expect(row.getByTestId('call-record-detail')).toHaveText(
        completed[user.name as 'Ann' | 'Bob'],
      );
    }

    const shown = await Promise.all(users.map((user) => callRows(user)));
    const [annRows, bobRows] = shown as [CallRow[], CallRow[]];
    for (const [index, rows] of shown.entries()) {
      const name = users[index]!.name;
      expect(
        rows.map((row) => row.outcome),
        `${name}: call rows in order`,
      ).toEqual(['missed', 'completed']);
      expect(rows[0]!.seq, `${name}: seq of the later call`).toBeLessThan(rows[1]!.seq);
      const length = rows[1]!.length;
      expect(length, `${name}: the finished call's length`).not.toBeNull();
      expect(length!.text).toMatch(/^\d+:\d\d$/);
      expect(seconds(length!.text), `${name}: seconds talked`).toBeGreaterThanOrEqual(TALK_SECONDS);
      expect(seconds(length!.text), `${name}: seconds talked`).toBeLessThanOrEqual(
        upperBoundSeconds,
      );
      expect(length!.iso).toBe(`PT${seconds(length!.text)}S`);
    }
    // The same stored calls on both sides: same seqs, ids and length.
    expect(
      bobRows.map(({ seq, callId, outcome, length }) => ({ seq, callId, outcome, length })),
    ).toEqual(
      annRows.map(({ seq, callId, outcome, length }) => ({ seq, callId, outcome, length })),
    );

    // Reloaded, both pages show the same rows again, from the room's history.
    await Promise.all(users.map((user) => user.page.reload()));
    for (const [index, user] of users.entries()) {
      await user.chat.expectReady();
      await user.chat.expectMembers(['Ann', 'Bob']);
      await expect(user.chat.messageList.getByTestId('call-record')).toHaveCount(2);
      expect(await callRows(user), `${user.name}: call rows after the reload`).toEqual(
        shown[index],
      );
    }
  });
});
