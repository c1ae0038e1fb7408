// What is timed against each store. Every loop is bounded by a count.
import { performance } from 'node:perf_hooks';
import { ChatService, RoomSequencer } from './api-modules.mjs';
import { percentile } from './stats.mjs';

const TEXT = 'a chat message of a typical length, about sixty characters.';
const author = (index) => ({ userId: `u-bench-${index}`, name: `Sender ${index}` });

const newMessage = (room, clientId, from) => ({
  room,
  clientId,
  from,
  text: TEXT,
  ts: new Date().toISOString(),
});

function latencySummary(latenciesMs) {
  return {
    p50Ms: percentile(latenciesMs, 50),
    p99Ms: percentile(latenciesMs, 99),
  };
}

/** Unreported commits, so the timed ones find warm code and a warm database. */
export async function warmUp(store, commits) {
  for (let i = 0; i < commits; i++) {
    await store.appendBatch('warm-up', [newMessage('warm-up', `w-${i}`, author(0))]);
  }
}

/** One sender, one room: each message is its own batch and its own commit, one after the other. */
export async function sequentialCommits(store, commits) {
  const latencies = [];
  const started = performance.now();
  for (let i = 0; i < commits; i++) {
    const sent = performance.now();
    await store.appendBatch('solo', [newMessage('solo', `s-${i}`, author(0))]);
    latencies.push(performance.now() - sent);
  }
  const seconds = (performance.now() - started) / 1000;
  return { commits, seconds, commitsPerSecond: commits / seconds, ...latencySummary(latencies) };
}

/**
 * `senders` senders in one room, each sending its next message as soon as the previous one is
 * acknowledged, through the api's own ChatService: sends that arrive while a commit runs are
 * stored together in the next one, exactly as the api forms its batches.
 */
export async function concurrentSenders(store, senders, messagesPerSender) {
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
    new RoomSequencer(),
    { storeLatency: { startTimer: () => () => {} } },
    countingStore,
    { publish() {} },
  );
  const latencies = [];
  const sender = async (index) => {
    const session = { user: author(index) };
    for (let i = 0; i < messagesPerSender; i++) {
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
  const seconds = (performance.now() - started) / 1000;
  const messages = senders * messagesPerSender;
  return {
    senders,
    messages,
    seconds,
    messagesPerSecond: messages / seconds,
    commits: batchSizes.length,
    meanBatch: messages / batchSizes.length,
    ...latencySummary(latencies),
  };
}

/** `rooms` rooms, one message each, one after the other: every commit also creates its room. */
export async function manyRooms(store, rooms) {
  const latencies = [];
  const started = performance.now();
  for (let i = 0; i < rooms; i++) {
    const room = `room-${i}`;
    const sent = performance.now();
    await store.appendBatch(room, [newMessage(room, 'first', author(i))]);
    latencies.push(performance.now() - sent);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    commits: rooms,
    seconds,
    commitsPerSecond: rooms / seconds,
    ...latencySummary(latencies),
  };
}
