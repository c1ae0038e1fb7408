/**
 * Locators and actions for the lobby (`/`) and a chat room (`/rooms/<room>`), from the web
 * app's test ids, plus a helper that gives each chat user a browser of their own.
 */
import {
  chromium,
  expect,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Locator,
  type Page,
  type TestInfo,
} from '@playwright/test';
import { chromiumLaunchOptions } from './browser.js';
import { recordWebSocketFrames, type FrameLog } from './ws-frames.js';

/** Reconnects back off up to 15 s (packages/client backoff), so recovery waits allow for that. */
export const RECOVERY_TIMEOUT_MS = 30_000;

/** Close code the tests drop a page's WebSocket with: not terminal, so the client reconnects. */
export const DROP_CLOSE_CODE = 4000;

/**
 * Installed in every chat context before the page loads: keeps a list of the page's WebSockets
 * so that `ChatUser.goOffline` can drop them. It only records; sockets behave as usual.
 */
function trackWebSockets(): void {
  const Native = window.WebSocket;
  const sockets: WebSocket[] = [];
  (window as unknown as { __e2eSockets: WebSocket[] }).__e2eSockets = sockets;
  class TrackedWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  window.WebSocket = TrackedWebSocket;
}

/** A room name nobody else uses: `<prefix>-<base36 time>-<random>`, within the room pattern. */
export function uniqueRoomName(prefix: string): string {
  const suffix = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
  return `${prefix}-${suffix}`.toLowerCase().slice(0, 40);
}

/** A message text unique to this run, so that counts never see another test's messages. */
export function uniqueText(label: string): string {
  return `${label} ${Math.random().toString(36).slice(2, 8)}`;
}

export class ChatUser {
  readonly badge: Locator;
  // Lobby
  readonly nameInput: Locator;
  readonly nameSave: Locator;
  readonly roomInput: Locator;
  readonly roomJoin: Locator;
  // Room
  readonly roomTitle: Locator;
  readonly onlineCount: Locator;
  readonly members: Locator;
  readonly messageList: Locator;
  readonly messages: Locator;
  readonly pending: Locator;
  readonly typingIndicator: Locator;
  readonly composerInput: Locator;
  readonly composerSend: Locator;
  readonly reconnectingBanner: Locator;
  /** Dialogs (alert, confirm, …) the page opened; each is dismissed. */
  readonly dialogs: string[] = [];

  constructor(
    readonly name: string,
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly frames: FrameLog,
  ) {
    this.badge = page.getByTestId('connection-badge');
    this.nameInput = page.getByTestId('name-input');
    this.nameSave = page.getByTestId('name-save');
    this.roomInput = page.getByTestId('room-input');
    this.roomJoin = page.getByTestId('room-join');
    this.roomTitle = page.getByTestId('room-title');
    this.onlineCount = page.getByTestId('online-count');
    this.members = page.getByTestId('member-list').getByTestId('member');
    this.messageList = page.getByTestId('message-list');
    this.messages = this.messageList.getByTestId('message');
    this.pending = this.messageList.getByTestId('message-pending');
    this.typingIndicator = page.getByTestId('typing-indicator');
    this.composerInput = page.getByTestId('composer-input');
    this.composerSend = page.getByTestId('composer-send');
    this.reconnectingBanner = page.getByTestId('reconnecting-banner');
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss().catch(() => {});
    });
  }

  /** The user id shown by the header badge once the session is ready. */
  async userId(): Promise<string> {
    await this.expectReady();
    const id = await this.badge.getAttribute('data-user-id');
    expect(id, `${this.name}: badge user id`).toMatch(/\S/);
    return id ?? '';
  }

  async expectReady(timeout = RECOVERY_TIMEOUT_MS): Promise<void> {
    await expect(this.badge, `${this.name}: connection badge`).toHaveAttribute(
      'data-state',
      'ready',
      { timeout },
    );
  }

  /**
   * Opens the lobby and saves `this.name` as the display name. Saving reconnects as a new
   * session, so this waits until the badge is ready with that name. A click before React
   * hydrated the form does nothing; the fill-and-save is retried until the name took.
   */
  async openLobbyAndSetName(): Promise<void> {
    await this.page.goto('/');
    await expect(this.nameInput).toBeEnabled({ timeout: 20_000 });
    await expect(async () => {
      if ((await this.nameInput.inputValue()) !== this.name) await this.nameInput.fill(this.name);
      if (await this.nameSave.isEnabled()) await this.nameSave.click();
      await expect(this.badge).toHaveAttribute('data-state', 'ready', { timeout: 3_000 });
      await expect(this.badge).toHaveAttribute('title', `Connected as ${this.name}`, {
        timeout: 3_000,
      });
    }).toPass({ timeout: 30_000 });
  }

  /** Joins `room` through the lobby form and waits for the room page to be joined. */
  async joinFromLobby(room: string): Promise<void> {
    await expect(async () => {
      if (!/\/rooms\//.test(this.page.url())) {
        await this.roomInput.fill(room);
        await this.roomJoin.click();
      }
      await expect(this.page).toHaveURL(new RegExp(`/rooms/${room}$`), { timeout: 3_000 });
    }).toPass({ timeout: 20_000 });
    await expect(this.roomTitle).toHaveText(room);
    await expect(this.onlineCount).toHaveText(/^\d+$/, { timeout: 20_000 });
  }

  /**
   * Takes this browser offline. Measured in this Chromium: `context.setOffline(true)` fails new
   * connections (net::ERR_INTERNET_DISCONNECTED) and sets navigator.onLine to false, but leaves
   * an already-open WebSocket open and working (the badge stayed `ready` for 8 s and more; the
   * client has no heartbeat and ignores `offline` events). So the page's open sockets are
   * closed too, as a dropped network would, and this waits until the badge left `ready`.
   */
  async goOffline(): Promise<void> {
    await this.context.setOffline(true);
    const dropped = await this.page.evaluate(
      ({ code }) => {
        const sockets = (window as unknown as { __e2eSockets?: WebSocket[] }).__e2eSockets ?? [];
        let count = 0;
        for (const socket of sockets) {
          if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) {
            socket.close(code, 'e2e: network dropped');
            count++;
          }
        }
        return count;
      },
      { code: DROP_CLOSE_CODE },
    );
    expect(dropped, `${this.name}: open WebSockets dropped`).toBeGreaterThan(0);
    await expect(this.badge, `${this.name}: badge once offline`).not.toHaveAttribute(
      'data-state',
      'ready',
    );
  }

  /** Back online: the client reconnects by itself on its next retry. */
  async goOnline(): Promise<void> {
    await this.context.setOffline(false);
  }

  /** Puts a marker on the window: `expectNotReloaded` fails if the page was loaded again since. */
  async markPage(): Promise<void> {
    await this.page.evaluate(() => {
      (window as unknown as { __e2eMarker: string }).__e2eMarker = 'still here';
    });
  }

  async expectNotReloaded(): Promise<void> {
    const marker = await this.page.evaluate(
      () => (window as unknown as { __e2eMarker?: string }).__e2eMarker ?? null,
    );
    expect(marker, `${this.name}: page was not reloaded`).toBe('still here');
  }

  /**
   * Another tab of this user's browser (same context: same localStorage, so the same identity
   * and name), opened at `path`.
   */
  async openTab(path: string): Promise<ChatUser> {
    const page = await this.context.newPage();
    const tab = new ChatUser(
      this.name,
      this.browser,
      this.context,
      page,
      recordWebSocketFrames(page),
    );
    await page.goto(path);
    return tab;
  }

  /** Types `text` into the composer without sending it. */
  async type(text: string): Promise<void> {
    await this.composerInput.fill(text);
  }

  /** Types `text` and sends it with Enter. */
  async send(text: string): Promise<void> {
    await this.composerInput.fill(text);
    await this.composerInput.press('Enter');
    await expect(this.composerInput).toHaveValue('');
  }

  /** Stored messages whose text is exactly `text`. */
  messagesWithText(text: string): Locator {
    return this.messages.filter({
      has: this.page.getByTestId('message-text').getByText(text, { exact: true }),
    });
  }

  /** Expects exactly one stored message with `text`, from `sender`; returns its seq. */
  async expectOneMessage(text: string, sender: string, timeout = 15_000): Promise<number> {
    const item = this.messagesWithText(text);
    await expect(item, `${this.name}: messages "${text}"`).toHaveCount(1, { timeout });
    await expect(item.getByTestId('message-sender')).toHaveText(sender);
    const seq = Number(await item.getAttribute('data-seq'));
    expect(Number.isInteger(seq) && seq > 0, `${this.name}: seq of "${text}"`).toBe(true);
    return seq;
  }

  /**
   * Expects each of `texts` exactly once among the stored messages, in this order (increasing
   * `data-seq`), and returns their seqs.
   */
  async expectMessagesInOrder(texts: readonly string[], timeout = 15_000): Promise<number[]> {
    for (const text of texts) {
      await expect(this.messagesWithText(text), `${this.name}: messages "${text}"`).toHaveCount(1, {
        timeout,
      });
    }
    const rows = await this.messages.evaluateAll((items) =>
      items.map((item) => ({
        seq: Number((item as HTMLElement).dataset.seq),
        text: item.querySelector('[data-testid="message-text"]')?.textContent ?? '',
      })),
    );
    // The DOM order is the order shown: it must match increasing seq throughout.
    const allSeqs = rows.map((row) => row.seq);
    expect(allSeqs, `${this.name}: every message in increasing seq`).toEqual(
      [...allSeqs].sort((a, b) => a - b),
    );
    expect(new Set(allSeqs).size, `${this.name}: no seq shown twice`).toBe(allSeqs.length);
    const seqs = texts.map((text) => rows.find((row) => row.text === text)?.seq ?? -1);
    for (let i = 1; i < seqs.length; i++) {
      expect(seqs[i]!, `${this.name}: "${texts[i]}" after "${texts[i - 1]}"`).toBeGreaterThan(
        seqs[i - 1]!,
      );
    }
    return seqs;
  }

  /**
   * Expects the stored message `text` to carry the "you" mark (`own`: sent by this page's user)
   * or not to carry it.
   */
  async expectOwnMark(text: string, own: boolean): Promise<void> {
    const item = this.messagesWithText(text);
    const mark = item.getByText('you', { exact: true });
    if (own) {
      await expect(item, `${this.name}: "${text}" marked as own`).toHaveAttribute(
        'data-own',
        'true',
      );
      await expect(mark, `${this.name}: "you" on "${text}"`).toHaveCount(1);
    } else {
      await expect(item, `${this.name}: "${text}" not own`).not.toHaveAttribute('data-own');
      await expect(mark, `${this.name}: no "you" on "${text}"`).toHaveCount(0);
    }
  }

  /** Expects the member list to hold exactly these names (any order) and the online count. */
  async expectMembers(names: readonly string[], timeout = 15_000): Promise<void> {
    await expect(this.onlineCount, `${this.name}: online count`).toHaveText(String(names.length), {
      timeout,
    });
    await expect
      .poll(
        async () =>
          (
            await this.members.evaluateAll((items) =>
              items.map((item) => (item as HTMLElement).dataset.name ?? ''),
            )
          ).sort(),
        { message: `${this.name}: member names`, timeout },
      )
      .toEqual([...names].sort());
  }
}

/**
 * A user in a new context of `browser`: storage of its own, so a user of its own (the web app
 * keeps the identity in localStorage), without the cost of another browser.
 */
export async function openChatUserIn(
  browser: Browser,
  baseURL: string | undefined,
  name: string,
): Promise<ChatUser> {
  const context = await browser.newContext({ baseURL });
  await context.addInitScript(trackWebSockets);
  const page = await context.newPage();
  return new ChatUser(name, browser, context, page, recordWebSocketFrames(page));
}

/** Launches one browser per name (each user alone in a browser of its own). */
export async function launchChatUsers(
  baseURL: string | undefined,
  names: readonly string[],
): Promise<ChatUser[]> {
  const browsers = await Promise.all(names.map(() => chromium.launch(chromiumLaunchOptions())));
  return Promise.all(
    names.map(async (name, index) => {
      const browser = browsers[index]!;
      const context = await browser.newContext({ baseURL });
      await context.addInitScript(trackWebSockets);
      const page = await context.newPage();
      return new ChatUser(name, browser, context, page, recordWebSocketFrames(page));
    }),
  );
}

/** Attaches each user's WebSocket frames to the report when `failed`, then closes the browsers. */
export async function closeChatUsers(
  users: readonly ChatUser[],
  testInfo: TestInfo,
): Promise<void> {
  if (testInfo.status !== testInfo.expectedStatus) {
    await Promise.all(
      users.map((user) => user.frames.attachTo(testInfo, `${user.name}-websocket`)),
    );
  }
  await Promise.all(users.map((user) => user.browser.close().catch(() => {})));
}

/** Both users set their names in the lobby and join `room`; resolves once each sees both. */
export async function joinBoth(users: readonly ChatUser[], room: string): Promise<void> {
  await Promise.all(users.map((user) => user.openLobbyAndSetName()));
  await Promise.all(users.map((user) => user.joinFromLobby(room)));
  const names = users.map((user) => user.name);
  await Promise.all(users.map((user) => user.expectMembers(names)));
}

/** A phone held upright: its size, a touch screen, and the mobile viewport meta honoured. */
export const PHONE_CONTEXT = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
} as const;

/**
 * Like {@link launchChatUsers}, each user in a browser of their own, with `contextOptions` for
 * every context (e.g. {@link PHONE_CONTEXT}).
 */
export async function launchChatUsersWith(
  baseURL: string | undefined,
  names: readonly string[],
  contextOptions: BrowserContextOptions,
): Promise<ChatUser[]> {
  const browsers = await Promise.all(names.map(() => chromium.launch(chromiumLaunchOptions())));
  return Promise.all(
    names.map(async (name, index) => {
      const browser = browsers[index]!;
      const context = await browser.newContext({ ...contextOptions, baseURL });
      await context.addInitScript(trackWebSockets);
      const page = await context.newPage();
      return new ChatUser(name, browser, context, page, recordWebSocketFrames(page));
    }),
  );
}

/** A narrow room's "Members" button (in the room's header) and the sheet it opens. */
export function roomMembers(user: ChatUser): {
  button: Locator;
  drawer: Locator;
  close: Locator;
  member: (name: string) => Locator;
} {
  const drawer = user.page.getByTestId('members-drawer');
  return {
    button: user.page.getByTestId('members-button'),
    drawer,
    close: user.page.getByTestId('members-drawer-close'),
    member: (name: string) => drawer.locator(`[data-testid="member"][data-name="${name}"]`),
  };
}

/** What the room says of the connection: its banner, the message area's note, Retry now. */
export function roomConnection(user: ChatUser): {
  reconnectingBanner: Locator;
  neverConnectedBanner: Locator;
  waiting: Locator;
  waitingRetryNow: Locator;
  bannerRetryNow: Locator;
  onlineSummary: Locator;
  memberSection: Locator;
} {
  const { page } = user;
  const banner = page.locator(
    '[data-testid="reconnecting-banner"], [data-testid="connection-banner"]',
  );
  return {
    reconnectingBanner: page.getByTestId('reconnecting-banner'),
    neverConnectedBanner: page.getByTestId('connection-banner'),
    waiting: page.getByTestId('room-waiting'),
    waitingRetryNow: page.getByTestId('room-waiting').getByTestId('retry-now'),
    bannerRetryNow: banner.getByTestId('retry-now'),
    onlineSummary: page.getByTestId('online-summary'),
    memberSection: page.getByTestId('member-list'),
  };
}

/** How far the message list is from its newest message, in pixels (0: pinned to the bottom). */
export async function messageListDistanceFromBottom(user: ChatUser): Promise<number> {
  return user.messageList.evaluate(
    (list) => list.scrollHeight - list.scrollTop - list.clientHeight,
  );
}
