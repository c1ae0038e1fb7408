import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import {
  BULK_TIMEOUT_MS,
  joinAs,
  joinRoom,
  nextChatMessage,
  uniqueRoom,
  type Member,
} from './support/chat-helpers.js';
import { keptDataDir, type DataDir } from './support/data-dir.js';
import type { ServerFrame } from './support/raw-client.js';

// The embedded store, whatever the run's store (DUPLEX_TEST_STORE): a DATA_DIR of the test's own.
let dataDir: DataDir;
let server: TestServer;

beforeAll(async () => {
  dataDir = await keptDataDir();
  server = await startServer({
    DATA_DIR: dataDir.path,
    MESSAGES_PER_SECOND: 10_000,
    BURST: 10_000,
  });
});
afterAll(async () => {
  await server?.stop();
  await dataDir?.remove();
});

/** The value of an unlabelled counter or histogram series in the api's `/metrics`. */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(server.httpUrl('/metrics'))).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name} `));
  if (line === undefined) throw new Error(`${name} is not in /metrics`);
  return Number(line.split(' ').at(-1));
}

/** Sends `count` chat.send at once, without waiting for any ack; resolves with the acks. */
function burst(member: Member, room: string, count: number, tag: string): Promise<ServerFrame>[] {
  return Array.from({ length: count }, (_, i) =>
    member.client.request(
      'chat.send',
      { room, clientId: `${tag}-${i}`, text: `${tag} ${i}` },
      BULK_TIMEOUT_MS,
    ),
  );
}

describe('the embedded store under concurrent senders', () => {
  it(
    '16 senders × 50 messages at once in one room: each acked and delivered once, stored in far fewer commits than messages',
    { timeout: 120_000 },
    async () => {
      const room = uniqueRoom('batching');
      const SENDERS = 16;
      const PER_SENDER = 50;
      const total = SENDERS * PER_SENDER;
      const members: Member[] = [];
      for (let i = 0; i < SENDERS; i++) members.push(await joinAs(server, `Sender${i}`, room));
      const commitsBefore = await metric('duplex_store_commits_total');
      const batchedBefore = await metric('duplex_store_batch_messages_sum');

      const acks = await Promise.all(
        members.flatMap((member, i) => burst(member, room, PER_SENDER, `s${i}`)),
      );

      expect(acks.every((ack) => ack.event === 'ack')).toBe(true);
      const ackedSeqs = acks.map((ack) => (ack.data as { seq: number }).seq);
      expect(new Set(ackedSeqs).size).toBe(total);
      expect(Math.min(...ackedSeqs)).toBe(1);
      expect(Math.max(...ackedSeqs)).toBe(total);
      for (const member of members) {
        const seqs: number[] = [];
        for (let i = 0; i < total; i++) {
          seqs.push((await nextChatMessage(member.client, BULK_TIMEOUT_MS)).data.seq as number);
        }
        expect(new Set(seqs).size).toBe(total);
      }
      // Barrier: a last message is the next one everyone receives, so nothing came twice.
      const last = await members[0]!.client.request('chat.send', {
        room,
        clientId: 'last',
        text: 'last',
      });
      for (const member of members) {
        expect((await nextChatMessage(member.client)).data).toMatchObject({
          seq: total + 1,
          text: 'last',
        });
      }
      expect(last.data).toMatchObject({ seq: total + 1 });

      const commits = (await metric('duplex_store_commits_total')) - commitsBefore;
      expect(commits).toBeLessThan(total / 2);
      expect((await metric('duplex_store_batch_messages_sum')) - batchedBefore).toBe(total + 1);
      await Promise.all(members.map((member) => member.client.close()));
    },
  );

  it(
    'a typing event in another room goes through while a long burst of writes is being stored',
    { timeout: 60_000 },
    async () => {
      const busy = uniqueRoom('busy');
      const quiet = uniqueRoom('quiet');
      const writer = await joinAs(server, 'Writer', busy);
      await joinRoom(writer.client, quiet);
      const typist = await joinAs(server, 'Typist', quiet);

      // One socket's frames arrive in the order the api sent them; each is noted as it arrives.
      const order: string[] = [];
      const typing = writer.client
        .nextWhere((frame) => frame.event === 'chat.typing', BULK_TIMEOUT_MS)
        .then(() => order.push('typing'));
      const acks = burst(writer, busy, 400, 'burst');
      const lastAck = acks.at(-1)!.then(() => order.push('last ack'));
      // The burst is being stored once its first ack is back.
      await acks[0];
      const typed = await typist.client.request('chat.typing', { room: quiet, typing: true });
      expect(typed.event).toBe('ack');
      await Promise.all([typing, lastAck, ...acks]);
      expect(order).toEqual(['typing', 'last ack']);
      await Promise.all([writer.client.close(), typist.client.close()]);
    },
  );
});
