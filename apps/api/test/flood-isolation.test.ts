/**
 * Flooding connections must not slow other rooms: a rejected frame costs little (no parse
 * beyond finding its id), and a flood is closed 1008 once its rejections pass the rule. The
 * issue that asked for this measured four flooders pushing another room's p50 from 11 to 97 ms
 * (each rejected frame parsed and answered for ever). A latency ratio is a timing assertion, kept
 * here because the issue asks for it, with a generous bound for a shared 2-core machine:
 * loaded p50 ≤ 4 × quiet p50 + 25 ms.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { joinAs, uniqueRoom, type Member } from './support/chat-helpers.js';
import { RawClient } from './support/raw-client.js';

const FLOODERS = 4;
const SAMPLES = 30;

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** B sends to C in their own room, well within the rate limit; each delivery's latency in ms. */
async function chatLatencies(sender: Member, receiver: Member, room: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const clientId = `m-${i}-${Math.random()}`;
    const sentAt = performance.now();
    sender.client.send({ event: 'chat.send', data: { room, clientId, text: 'hi' } });
    await receiver.client.nextWhere(
      (frame) => frame.event === 'chat.message' && frame.data.clientId === clientId,
      5_000,
    );
    latencies.push(performance.now() - sentAt);
    await new Promise((resolve) => setTimeout(resolve, 40)); // 25 messages/s at most: under burst
  }
  return latencies;
}

/**
 * A flooder at `perSecond` frames a second (5× the default limit of 20), each carrying an id,
 * until the api closes it; resolves with the close code and how long that took.
 */
async function flooder(frame: string, perSecond: number): Promise<{ code: number; ms: number }> {
  const client = await RawClient.connect(server.wsUrl());
  await client.hello('flooder');
  const started = performance.now();
  let sent = 0;
  const timer = setInterval(() => {
    if (client.isOpen) client.send(frame.replace('#', String(++sent)));
  }, 1000 / perSecond);
  try {
    const { code } = await client.waitClosed(15_000);
    return { code, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

describe('another room while connections flood', () => {
  it('keeps its latency, and every flooder is closed 1008', async () => {
    const room = uniqueRoom('quiet');
    const sender = await joinAs(server, 'B', room);
    const receiver = await joinAs(server, 'C', room);

    const quiet = median(await chatLatencies(sender, receiver, room));

    // Large frames, so that parsing every rejected one (the unfixed behaviour) costs real CPU.
    const junk = 'x'.repeat(30_000);
    const frame = JSON.stringify({
      event: 'chat.send',
      data: { room: 'flood', clientId: 'c#', text: junk },
      id: 'f#',
    });
    const floods = Array.from({ length: FLOODERS }, () => flooder(frame, 100));
    // 20 refilled a second, 80 rejected: the rule (400 within 10 s) closes each after ~5 s, so
    // these samples (~2 s) are taken while all four flood.
    const loaded = median(await chatLatencies(sender, receiver, room));
    const results = await Promise.all(floods);

    for (const result of results) {
      expect(result.code).toBe(1008);
      expect(result.ms).toBeLessThan(10_000);
    }
    expect(loaded).toBeLessThanOrEqual(4 * quiet + 25);
    await sender.client.close();
    await receiver.client.close();
  }, 60_000);
});
