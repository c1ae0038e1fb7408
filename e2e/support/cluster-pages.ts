/**
 * Pages and clients on chosen api instances of the cluster.
 *
 * Placement: nginx sends every connection to the next instance (round robin, which the pages'
 * own HTTP requests advance too), so where a page's socket lands is not chosen but observed.
 * Users join one after another; after each, the instances' `duplex_ws_connections` are read
 * until their sum counts that user's socket, and the one instance whose count went up is the
 * user's. A user who landed on an instance an earlier user holds reloads the room page (a new
 * socket, through nginx again) until it lands on another one.
 *
 * Witnesses: Node clients (@duplex/client over `ws`) connected to one instance directly, not
 * through nginx, that never reconnect: when their instance goes, their sessions stay behind on
 * it, and the others' reaping them is visible in the room as their leaving.
 */
import { DuplexClient } from '@duplex/client';
import { expect, type Page, type TestInfo } from '@playwright/test';
import WebSocket from 'ws';
import { describeCounts, expectWsConnectionTotal, type InstanceInfo } from './cluster-api.js';
import { record } from './call-page.js';
import { RECOVERY_TIMEOUT_MS, type ChatUser } from './room-page.js';

/** Reloads before giving up on landing a page on an instance of its own (3 instances: 1/3 each). */
const MAX_RELOADS = 12;

/** The instance whose count is one more in `after` than in `before`, all others equal; else null. */
function instanceGained(
  before: readonly (number | null)[],
  after: readonly (number | null)[],
): number | null {
  const changed = after
    .map((count, index) => ({ index, delta: (count ?? 0) - (before[index] ?? 0) }))
    .filter((entry) => entry.delta !== 0);
  return changed.length === 1 && changed[0]!.delta === 1 ? changed[0]!.index : null;
}

/** Waits until the page shows `room` joined and its session ready. */
async function expectInRoom(user: ChatUser, room: string): Promise<void> {
  await user.expectReady();
  await expect(user.roomTitle).toHaveText(room);
  await expect(user.onlineCount, `${user.name}: online count`).toHaveText(/^\d+$/, {
    timeout: 20_000,
  });
}

/**
 * Each user, one after another, names themselves in the lobby and joins `room`, each on an
 * api instance no earlier user holds (see the file comment). Before the first, the instances
 * must hold `baseline` sockets (the test's own, e.g. 0). Resolves with each user's instance
 * index once every user lists them all; the placement and the reloads it took go to the report.
 */
export async function joinOnDifferentInstances(
  users: readonly ChatUser[],
  room: string,
  testInfo: TestInfo,
  baseline = 0,
): Promise<number[]> {
  let counts = await expectWsConnectionTotal(baseline);
  const placed: number[] = [];
  for (const user of users) {
    await user.openLobbyAndSetName();
    await user.joinFromLobby(room);
    const before = counts;
    for (let reloads = 0; ; reloads++) {
      const after = await expectWsConnectionTotal(baseline + placed.length + 1);
      const instance = instanceGained(before, after);
      if (instance === null)
        throw new Error(
          `e2e cluster: ${user.name}'s socket is on no single instance: before ` +
            `${describeCounts(before)}, after ${describeCounts(after)}`,
        );
      if (!placed.includes(instance)) {
        placed.push(instance);
        counts = after;
        record(
          testInfo,
          'placement',
          `${user.name} on instance ${instance} (duplex_ws_connections ${describeCounts(after)}` +
            `${reloads > 0 ? `, after ${reloads} reload(s)` : ''})`,
        );
        break;
      }
      if (reloads >= MAX_RELOADS)
        throw new Error(
          `e2e cluster: ${user.name} landed on instance ${instance} (taken) ${reloads + 1} times`,
        );
      await user.page.reload();
      await expectInRoom(user, room);
    }
  }
  const names = users.map((user) => user.name);
  for (const user of users) await user.expectMembers(names);
  return placed;
}

/** Every `data-state` the page's connection badge took since `watchBadge`, with Date.now(). */
export interface BadgeChange {
  t: number;
  state: string;
}

interface BadgeWindow {
  __e2eBadge?: BadgeChange[];
}

/** Records inside the page every state its connection badge shows, until the page navigates. */
export async function watchBadge(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as BadgeWindow;
    const changes: BadgeChange[] = [];
    w.__e2eBadge = changes;
    const record = () => {
      const state =
        document.querySelector('[data-testid="connection-badge"]')?.getAttribute('data-state') ??
        '(none)';
      if (changes.at(-1)?.state !== state) changes.push({ t: Date.now(), state });
    };
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state'],
    });
    record();
  });
}

export async function badgeChanges(page: Page): Promise<BadgeChange[]> {
  return page.evaluate(() => (window as BadgeWindow).__e2eBadge ?? []);
}

/**
 * Waits until the page's badge left `ready` at or after `since` and is `ready` again (the
 * client reconnected by itself); returns the recorded changes since then.
 */
export async function expectReconnectedSince(
  user: ChatUser,
  since: number,
): Promise<BadgeChange[]> {
  let changes: BadgeChange[] = [];
  let states: string[] = [];
  await expect
    .poll(
      async () => {
        changes = (await badgeChanges(user.page)).filter((change) => change.t >= since);
        states = changes.map((change) => change.state);
        return {
          leftReady: states.some((state) => state !== 'ready'),
          last: states.at(-1) ?? '(no change)',
          states: states.join(' → '),
        };
      },
      {
        message: `${user.name}: badge left "ready" and came back`,
        timeout: RECOVERY_TIMEOUT_MS,
      },
    )
    .toMatchObject({ leftReady: true, last: 'ready' });
  await user.expectReady();
  return changes;
}

/** `changes` as `reconnecting@+12 → ready@+480` (ms since `since`). */
export function describeBadgeChanges(changes: readonly BadgeChange[], since: number): string {
  return changes.map((change) => `${change.state}@+${change.t - since}`).join(' → ');
}

/** How many WebSockets the page opened so far (room-page.ts's init script lists them). */
export async function socketsOpened(page: Page): Promise<number> {
  return page.evaluate(
    () => (window as unknown as { __e2eSockets?: WebSocket[] }).__e2eSockets?.length ?? 0,
  );
}

/** A Node client in a room, connected to one instance directly, that never reconnects. */
export class Witness {
  private constructor(
    readonly name: string,
    readonly client: DuplexClient,
    readonly instance: InstanceInfo,
  ) {}

  /** `name` connects to `instance` itself (not through nginx) and joins `room`. */
  static async join(instance: InstanceInfo, name: string, room: string): Promise<Witness> {
    const client = new DuplexClient({
      url: `${instance.url.replace(/^http/, 'ws')}/ws`,
      name,
      WebSocket,
      reconnect: false,
      keepAliveIntervalMs: 0,
      networkEvents: null,
      onListenerError: () => {},
    });
    client.on('error', () => {});
    client.connect();
    await client.joinRoom(room);
    return new Witness(name, client, instance);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * `texts` in the order `user`'s page shows them (by seq), once each are all shown: for messages
 * sent at the same time from different pages, whose order the server decides.
 */
export async function orderShownBy(
  user: ChatUser,
  texts: readonly string[],
  timeout = RECOVERY_TIMEOUT_MS,
): Promise<string[]> {
  for (const text of texts)
    await expect(user.messagesWithText(text), `${user.name}: messages "${text}"`).toHaveCount(1, {
      timeout,
    });
  const rows = await user.messages.evaluateAll((items) =>
    items.map((item) => ({
      seq: Number((item as HTMLElement).dataset.seq),
      text: item.querySelector('[data-testid="message-text"]')?.textContent ?? '',
    })),
  );
  const seqOf = (text: string) => rows.find((row) => row.text === text)?.seq ?? -1;
  return [...texts].sort((a, b) => seqOf(a) - seqOf(b));
}
