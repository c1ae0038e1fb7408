// What is timed against each store, in chunks so that the two stores can take turns. Every
// loop is bounded by a count; every chunk returns its raw latencies for the runner to pool.
import { performance } from 'node:perf_hooks';
import { ChatService, RoomSequencer } from './api-modules.mjs';

const TEXT = 'a chat message of a typical length, about sixty characters.';
const author = (index) => ({ userId: `u-bench-${index}`, name: `Sender ${index}` });

const newMessage = (room, clientId, from) => ({
  room,
  clientId,
  from,
  text: TEXT,
  ts: new Date().toISOString(),
});

/** Unreported commits, so the timed ones find warm code and a warm database. */
export async function warmUp(store, commits) {
  for (let i = 0; i < commits; i++) {
    await store.appendBatch('warm-up', [newMessage('warm-up', `w-${i}`, author(0))]);
  }
}

/**
 * One sender, one room (`solo`): each message its own batch and its own commit, one after the
 * other. `offset` numbers the messages on from earlier chunks.
 */
export async function sequentialCommits(store, commits, offset = 0) {
  const latencies = [];
  const started = performance.now();
  for (let i = offset; i < offset + commits; i++) {
    const sent = performance.now();
    await store.appendBatch('solo', [newMessage('solo', `s-${i}`, author(0))]);
    latencies.push(performance.now() - sent);
  }
  return { count: commits, commits, seconds: (performance.now() - started) / 1000, latencies };
}

/**
 * The api's own ChatService on `store`, with everything but storage stubbed: sends that arrive
 * while a commit runs are stored together in the next one, exactly as the api forms batches.
 */
export function chatOn(store) {
  const batchSizes = [];
  const countingStore = {
    appendBatch(room, messages) {
      batchSizes.push(messages.length);
      return store.appendBatch(room, messages);
    },
  };
  const chat = new ChatService(
    { assertMember() {} },
    { touch() {} },
    { publish() {} },
    new RoomSequencer(),
    {
      storeLatency: { startTimer: () => () => {} },
      storeCommits: { inc() {} },
      storeBatchMessages: { observe() {} },
    },
    countingStore,
  );
  return { chat, batchSizes };
}

/**
 * `senders` senders in one room (`busy`), each sending its next message as soon as the
 * previous one is acknowledged; latency is from the send to its acknowledgement.
 */
export async function concurrentSenders(
  { chat, batchSizes },
  senders,
  messagesPerSender,
  offset = 0,
) {
  const commitsBefore = batchSizes.length;
  const latencies = [];
  const sender = async (index) => {
    const session = { user: author(index) };
    for (let i = offset; i < offset + messagesPerSender; i++) {
      const sent = performance.now();
      let acked = false;
      await chat.send(session, { room: 'busy', clientId: `b-${index}-${i}`, text: TEXT }, () => {
        acked = true;
        latencies.push(performance.now() - sent);
      });
      if (!acked) throw new Error('a send resolved without its acknowledgement');
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: senders }, (_, index) => sender(index)));
  return {
    count: senders * messagesPerSender,
    commits: batchSizes.length - commitsBefore,
    seconds: (performance.now() - started) / 1000,
    latencies,
  };
}

/** Rooms `room-<offset>` on, one message each, one after the other: every commit makes its room. */
export async function manyRooms(store, rooms, offset = 0) {
  const latencies = [];
  const started = performance.now();
  for (let i = offset; i < offset + rooms; i++) {
    const room = `room-${i}`;
    const sent = performance.now();
    await store.appendBatch(room, [newMessage(room, 'first', author(i))]);
    latencies.push(performance.now() - sent);
  }
  return { count: rooms, commits: rooms, seconds: (performance.now() - started) / 1000, latencies };
}
