import { afterEach, describe, expect, it } from 'vitest';
import { MESSAGE_STORE, type MessageStore } from '../src/storage/message-store.js';
import { startServer, type TestServer } from './support/api-server.js';
import { joinAs, uniqueRoom } from './support/chat-helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('a connection whose frames wait on a stalled store', () => {
  it('is closed 1013 (overloaded) once 2 × burst accepted frames wait, and others are unharmed', async () => {
    const BURST = 10;
    server = await startServer({ BURST, MESSAGES_PER_SECOND: 1_000 });
    const room = uniqueRoom('stalled');
    const sender = await joinAs(server, 'Sender', room);
    const other = await joinAs(server, 'Other', uniqueRoom('elsewhere'));

    // The store stops answering: every chat.send waits for ever.
    const store = server.app.get<MessageStore>(MESSAGE_STORE);
    store.appendBatch = () => new Promise(() => {});

    for (let i = 0; i < 2 * BURST + 5; i++) {
      sender.client.send({ event: 'chat.send', data: { room, clientId: `c${i}`, text: 'hi' } });
      await new Promise((resolve) => setTimeout(resolve, 2)); // tokens refill: all accepted
    }
    expect((await sender.client.waitClosed(5_000)).code).toBe(1013);
    expect((await other.client.request('ping', {})).event).toBe('ack');
  });
});
