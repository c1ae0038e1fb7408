import { CallOutcome, MessageKind, type CallMessage } from '@duplex/protocol';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike, SkippedMessage } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient } from './helpers.js';
import {
  ada,
  answerJoin,
  bob,
  chatMessage,
  joinedClient,
  reconnect,
  seqs,
  texts,
} from './chat-helpers.js';

beforeEach(() => {
  FakeWebSocket.reset();
});

const at = (seconds: number) => new Date(Date.UTC(2024, 4, 1, 12, 0, seconds)).toISOString();

function callMessage(seq: number, outcome: CallMessage['call']['outcome']): CallMessage {
  const answered = outcome === CallOutcome.Completed || outcome === CallOutcome.Failed;
  return {
    room: 'lobby',
    seq,
    kind: MessageKind.Call,
    call: {
      callId: `call-${seq}`,
      caller: ada,
      callee: bob,
      video: true,
      outcome,
      startedAt: at(1),
      ...(answered && { answeredAt: at(2), durationMs: 5_000 }),
      endedAt: at(7),
    },
    ts: at(7),
  };
}

/** A message of a kind this client does not know (a later revision's). */
const pollMessage = (seq: number) => ({ room: 'lobby', seq, kind: 'poll', ts: at(9) });

describe('messages of every kind', () => {
  it('holds text and call messages in seq order; a kind it does not know is skipped, its seq no gap', async () => {
    const client = createClient();
    const { socket, snapshot } = await joinedClient(client, {
      lastSeq: 4,
      history: [
        chatMessage(1),
        callMessage(2, CallOutcome.Missed),
        chatMessage(3, { kind: MessageKind.Text }),
        pollMessage(4),
      ] as never,
    });
    expect(seqs(snapshot.messages)).toEqual([1, 2, 3]);
    expect(snapshot.messages[1]).toEqual(callMessage(2, CallOutcome.Missed));
    expect(snapshot.lastSeq).toBe(4);

    const skipped: SkippedMessage[] = [];
    client.on('chat.skipped', (message) => skipped.push(message));
    socket.receive({ event: 'chat.message', data: callMessage(6, CallOutcome.Completed) });
    socket.receive({ event: 'chat.message', data: pollMessage(5) });
    socket.receive({ event: 'chat.message', data: chatMessage(7) });
    const store = client.room('lobby')!;
    expect(seqs(store.getSnapshot().messages)).toEqual([1, 2, 3, 6, 7]);
    expect(store.getSnapshot().lastSeq).toBe(7);
    expect(skipped).toEqual([{ room: 'lobby', seq: 5, kind: 'poll' }]);
    expect(texts(store.getSnapshot().messages)).toEqual(['message 1', 'message 3', 'message 7']);
  });

  it('a recovered history accounts for every seq up to its lastSeq, skipped kinds included', async () => {
    vi.useFakeTimers();
    try {
      const client = createClient();
      const { socket } = await joinedClient(client, { lastSeq: 2, history: [chatMessage(2)] });
      const next = await reconnect(socket, (ms) => vi.advanceTimersByTimeAsync(ms), {
        resume: 'token-2',
        resumed: true,
        rooms: ['lobby'],
      });
      await answerJoin(next, {
        lastSeq: 5,
        recovered: true,
        history: [chatMessage(3), pollMessage(4), callMessage(5, CallOutcome.Declined)] as never,
      });
      const snapshot = client.room('lobby')!.getSnapshot();
      expect(seqs(snapshot.messages)).toEqual([2, 3, 5]);
      expect(snapshot.lastSeq).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a call message does not settle a pending send, nor stop anyone typing', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const clientId = client.sendChat('lobby', 'hi');
    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: bob, typing: true } });
    socket.receive({ event: 'chat.message', data: callMessage(1, CallOutcome.Failed) });
    const snapshot = client.room('lobby')!.getSnapshot();
    expect(snapshot.pending.map((entry) => entry.clientId)).toEqual([clientId]);
    expect(snapshot.typing).toEqual([bob]);
  });

  it('older history over HTTP holds call messages too, and skips unknown kinds', async () => {
    const fetch: FetchLike = async () => ({
      ok: true,
      status: 200,
      json: async () => [chatMessage(1), pollMessage(2), callMessage(3, CallOutcome.Completed)],
    });
    const client = createClient({ fetch });
    await joinedClient(client, { lastSeq: 4, history: [chatMessage(4)] });
    const older = await client.loadOlder('lobby');
    expect(seqs(older)).toEqual([1, 3]);
    expect(seqs(client.room('lobby')!.getSnapshot().messages)).toEqual([1, 3, 4]);
  });
});
