/**
 * Playwright's `test` for the chat specs: Ann and Bob, each in a browser of their own, are
 * launched for every test that asks for `users`, `ann` or `bob`, and closed after it, their
 * WebSocket frames attached to the report when it failed.
 */
import { test as base } from '@playwright/test';
import { closeChatUsers, launchChatUsers, type ChatUser } from './room-page.js';

export interface AnnAndBob {
  /** Ann and Bob, in that order. */
  users: [ChatUser, ChatUser];
  ann: ChatUser;
  bob: ChatUser;
}

export const test = base.extend<AnnAndBob>({
  users: async ({ baseURL }, use, testInfo) => {
    const users = (await launchChatUsers(baseURL, ['Ann', 'Bob'])) as [ChatUser, ChatUser];
    await use(users);
    await closeChatUsers(users, testInfo);
  },
  ann: async ({ users }, use) => use(users[0]),
  bob: async ({ users }, use) => use(users[1]),
});
