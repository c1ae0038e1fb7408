/**
 * Every page of the web app people look at, each brought into a state worth checking: the list
 * the accessibility spec (specs/accessibility.spec.ts) and the screenshot tour (tour/) go
 * through. A page's `open` opens the browsers it needs (two users for a room or a call), brings
 * the page into its state and returns it with a locator that is visible once it is ready.
 *
 * Things are found by test id and role only, so layout changes do not break the list.
 */
import {
  chromium,
  expect,
  type Browser,
  type BrowserContextOptions,
  type Locator,
  type Page,
  type TestInfo,
} from '@playwright/test';
import { chromiumLaunchOptions } from './browser.js';
import { CallUser, closeCallUsers, joinCallRoom, placeAcceptedCall } from './call-page.js';
import { EchoPage } from './echo-page.js';
import { ChatUser, joinBoth, uniqueRoomName, uniqueText } from './room-page.js';
import { recordWebSocketFrames } from './ws-frames.js';

export type ColorScheme = 'light' | 'dark';

/** A window size the pages are checked and shown at. */
export interface TourViewport {
  /** Names the screenshot folder (`<name>-<scheme>`). */
  name: string;
  options: BrowserContextOptions;
}

export const DESKTOP: TourViewport = {
  name: '1366',
  options: { viewport: { width: 1366, height: 850 } },
};

export const PHONE: TourViewport = {
  name: '390',
  options: {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  },
};

/** Where and how a tour page is opened. */
export interface TourEnv {
  /** The test's browser: single-user pages open a context in it. */
  browser: Browser;
  baseURL: string;
  viewport: TourViewport;
  colorScheme: ColorScheme;
}

/** A tour page in its state. */
export interface OpenTourPage {
  /** The page to check or to shoot. */
  page: Page;
  /** Visible once the page is in its state. */
  ready: Locator;
  /** Closes what `open` opened; attaches diagnostics to `testInfo` when the test failed. */
  close(testInfo: TestInfo): Promise<void>;
}

export interface TourPage {
  /** File name of its screenshot and part of the test titles. */
  name: string;
  /** What the page shows, for test titles. */
  title: string;
  /** Screenshot the whole scrollable page (false: the window, e.g. a full-screen call). */
  fullPage: boolean;
  open(env: TourEnv): Promise<OpenTourPage>;
}

function contextOptions(env: TourEnv): BrowserContextOptions {
  return {
    ...env.viewport.options,
    baseURL: env.baseURL,
    colorScheme: env.colorScheme,
    // No pulsing dots: what is checked and shown is the same from one run to the next.
    reducedMotion: 'reduce',
  };
}

/** Runs `steps`; if they throw, closes what was opened before passing the error on. */
async function orClose<T>(close: () => Promise<unknown>, steps: () => Promise<T>): Promise<T> {
  try {
    return await steps();
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}

/**
 * One page in a fresh context of the test's browser, brought into its state by `steps`, which
 * return the page's ready locator. The context is closed if a step fails.
 */
async function openSinglePage(
  env: TourEnv,
  steps: (page: Page) => Promise<Locator>,
): Promise<OpenTourPage> {
  const context = await env.browser.newContext(contextOptions(env));
  const close = () => context.close();
  const page = await context.newPage();
  const ready = await orClose(close, () => steps(page));
  return { page, ready, close };
}

/** A chat user in a new context of `browser`, sized and coloured as `env` says. */
async function openChatUser(browser: Browser, env: TourEnv, name: string): Promise<ChatUser> {
  const context = await browser.newContext(contextOptions(env));
  const page = await context.newPage();
  return new ChatUser(name, browser, context, page, recordWebSocketFrames(page));
}

/**
 * Ann calls Bob, each in a browser of their own (as in the call specs). Bob's page is the one
 * checked; Ann, who only places the call, is always at desktop size so that her member list
 * (where the call buttons are) is in view whatever the phone layout does with it.
 */
async function openCallPair(env: TourEnv): Promise<[CallUser, CallUser]> {
  const [annBrowser, bobBrowser] = await Promise.all([
    chromium.launch(chromiumLaunchOptions()),
    chromium.launch(chromiumLaunchOptions()),
  ]);
  try {
    const ann = await openChatUser(annBrowser, { ...env, viewport: DESKTOP }, 'Ann');
    const bob = await openChatUser(bobBrowser, env, 'Bob');
    const users: [CallUser, CallUser] = [new CallUser(ann), new CallUser(bob)];
    await joinCallRoom(users, uniqueRoomName('tour-call'));
    return users;
  } catch (error) {
    await Promise.all([annBrowser.close(), bobBrowser.close()]);
    throw error;
  }
}

const closeBrowsers = (users: readonly CallUser[]) =>
  Promise.all(users.map((user) => user.chat.browser.close()));

function readyStateLocator(page: Page, state: 'OPEN' | 'CLOSED'): Locator {
  return page.locator(`[data-testid="echo-ready-state"][data-ready-state="${state}"]`);
}

export const TOUR_PAGES: readonly TourPage[] = [
  {
    name: 'lobby',
    title: 'home page and lobby',
    fullPage: true,
    open: (env) =>
      openSinglePage(env, async (page) => {
        await page.goto('/');
        // Hydrated (the name field is enabled once the remembered name is read) and the room
        // list has answered: what is checked is the page people use, not its first paint.
        await expect(page.getByTestId('name-input')).toBeEnabled({ timeout: 20_000 });
        await expect(page.getByRole('region', { name: 'Rooms' }).getByText('Loading…')).toHaveCount(
          0,
          { timeout: 20_000 },
        );
        return page.getByTestId('demo-echo');
      }),
  },
  {
    name: 'room',
    title: 'chat room with two members and messages',
    fullPage: true,
    async open(env) {
      const ann = await openChatUser(env.browser, env, 'Ann');
      const bob = await openChatUser(env.browser, env, 'Bob');
      const users = [ann, bob];
      const closeContexts = () => Promise.all(users.map((user) => user.context.close()));
      return orClose(closeContexts, async () => {
        await joinBoth(users, uniqueRoomName('tour-room'));
        const texts = [
          uniqueText('Hello Bob'),
          uniqueText('Hi Ann, all good here'),
          uniqueText('Great'),
        ];
        await ann.send(texts[0]!);
        await bob.expectOneMessage(texts[0]!, 'Ann');
        await bob.send(texts[1]!);
        await ann.expectOneMessage(texts[1]!, 'Bob');
        await ann.send(texts[2]!);
        await ann.expectMessagesInOrder(texts);
        return {
          page: ann.page,
          ready: ann.messagesWithText(texts[2]!),
          close: async (testInfo: TestInfo) => {
            if (testInfo.status !== testInfo.expectedStatus)
              await Promise.all(
                users.map((u) => u.frames.attachTo(testInfo, `${u.name}-websocket`)),
              );
            await closeContexts();
          },
        };
      });
    },
  },
  {
    name: 'incoming-call',
    title: 'incoming call prompt',
    fullPage: false,
    async open(env) {
      const users = await openCallPair(env);
      const [ann, bob] = users;
      return orClose(
        () => closeBrowsers(users),
        async () => {
          await ann.call(bob, true);
          await bob.expectIncoming(true);
          return {
            page: bob.page,
            ready: bob.incoming,
            close: (testInfo: TestInfo) => closeCallUsers(users, testInfo),
          };
        },
      );
    },
  },
  {
    name: 'call',
    title: 'live video call',
    fullPage: false,
    async open(env) {
      const users = await openCallPair(env);
      const [ann, bob] = users;
      return orClose(
        () => closeBrowsers(users),
        async () => {
          await placeAcceptedCall(ann, bob, true);
          // What is checked and shown is a call with Ann's video in it, not a black frame.
          await bob.expectDecodingVideo();
          return {
            page: bob.page,
            ready: bob.view,
            close: (testInfo: TestInfo) => closeCallUsers(users, testInfo),
          };
        },
      );
    },
  },
  {
    name: 'echo-connected',
    title: 'echo playground, connected',
    fullPage: true,
    open: (env) =>
      openSinglePage(env, async (page) => {
        const echo = new EchoPage(page);
        await echo.open();
        await echo.connect();
        await expect(echo.rows('event', 'open')).toHaveCount(1);
        return readyStateLocator(page, 'OPEN');
      }),
  },
  {
    name: 'echo-frame',
    title: 'echo playground, after a text and a binary frame',
    fullPage: true,
    open: (env) =>
      openSinglePage(env, async (page) => {
        const echo = new EchoPage(page);
        await echo.open();
        await echo.connect();
        await echo.sendText('Hello, echo ✓');
        await expect(echo.rows('in', 'text')).toHaveCount(1);
        await echo.sendBinary(32);
        await expect(echo.rows('in', 'binary')).toHaveCount(1);
        return echo.rows('in', 'binary');
      }),
  },
  {
    name: 'not-found',
    title: 'page not found (404)',
    fullPage: true,
    open: (env) =>
      openSinglePage(env, async (page) => {
        await page.goto('/no-such-page');
        return page.getByTestId('page-not-found');
      }),
  },
  {
    name: 'invalid-room',
    title: 'invalid room address (/rooms/%ZZ)',
    fullPage: true,
    open: (env) =>
      openSinglePage(env, async (page) => {
        await page.goto('/rooms/%ZZ');
        return page.getByTestId('room-not-found');
      }),
  },
  {
    name: 'transports',
    title: 'transports side by side, all four receiving',
    fullPage: true,
    open: (env) =>
      openSinglePage(env, async (page) => {
        await page.goto('/transports');
        for (const transport of ['poll', 'long_poll', 'sse', 'websocket']) {
          await expect(
            page.getByTestId(`transport-${transport}`).getByTestId('transport-events'),
          ).not.toHaveText('0', { timeout: 20_000 });
        }
        return page.getByTestId('transports-conclusion');
      }),
  },
];
