import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deriveHttpBase, HistoryRequestError, type FetchLike } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient } from './helpers.js';
import { chatMessage, joinedClient, seqs } from './chat-helpers.js';

beforeEach(() => {
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function fakeFetch(pages: Record<string, unknown>): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const fetch = async (url: string) => {
    urls.push(url);
    const body = pages[url];
    if (body === undefined) return { ok: false, status: 404, json: async () => ({}) };
    return { ok: true, status: 200, json: async () => body };
  };
  return Object.assign(fetch, { urls });
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => chatMessage(from + i));

describe('deriveHttpBase', () => {
  it('maps ws to http and wss to https and drops the path', () => {
    expect(deriveHttpBase('ws://127.0.0.1:3001/ws')).toBe('http://127.0.0.1:3001');
    expect(deriveHttpBase('wss://chat.example.org/ws?x=1#y')).toBe('https://chat.example.org');
    expect(deriveHttpBase('wss://chat.example.org:443/api/ws')).toBe('https://chat.example.org');
  });
});

describe('loadOlder', () => {
  it('fetches the page before the lowest seq held, prepends it without duplicates, and tracks hasOlder', async () => {
    const fetch = fakeFetch({
      'http://test/api/rooms/lobby/messages?before=101&limit=50': [
        ...range(51, 100),
        chatMessage(101),
      ],
      'http://test/api/rooms/lobby/messages?before=51&limit=50': range(1, 50),
    });
    const client = createClient({ fetch });
    await joinedClient(client, { lastSeq: 150, history: range(101, 150) });
    const store = client.room('lobby')!;
    expect(store.getSnapshot().hasOlder).toBe(true);

    const first = await client.loadOlder('lobby');
    expect(seqs(first)).toEqual(seqs(range(51, 100))); // seq 101 is not older: filtered
    expect(seqs(store.getSnapshot().messages)).toEqual(seqs(range(51, 150)));
    expect(store.getSnapshot().hasOlder).toBe(true);
    expect(store.getSnapshot().lastSeq).toBe(150);

    await client.loadOlder('lobby');
    expect(seqs(store.getSnapshot().messages)).toEqual(seqs(range(1, 150)));
    expect(store.getSnapshot().hasOlder).toBe(false); // the lowest seq is 1
    await expect(client.loadOlder('lobby')).resolves.toEqual([]);
    expect(fetch.urls).toHaveLength(2);
  });

  it('sets hasOlder false when fewer than limit came back, uses httpUrl, and shares a load in flight', async () => {
    const fetch = fakeFetch({
      'https://api.example.org/api/rooms/lobby/messages?before=40&limit=20': range(35, 39),
    });
    const client = createClient({ fetch, httpUrl: 'https://api.example.org/' });
    await joinedClient(client, { lastSeq: 45, history: range(40, 45) });
    const [a, b] = [client.loadOlder('lobby', 20), client.loadOlder('lobby', 20)];
    expect(a).toBe(b);
    await a;
    expect(fetch.urls).toHaveLength(1);
    const snapshot = client.room('lobby')!.getSnapshot();
    expect(seqs(snapshot.messages)).toEqual(seqs(range(35, 45)));
    expect(snapshot.hasOlder).toBe(false);
  });

  it('clamps the limit to 200 and uses the global fetch by default', async () => {
    const fetch = fakeFetch({
      'http://test/api/rooms/lobby/messages?before=500&limit=200': range(300, 499),
    });
    vi.stubGlobal('fetch', fetch);
    const client = createClient();
    await joinedClient(client, { lastSeq: 500, history: [chatMessage(500)] });
    await client.loadOlder('lobby', 1_000);
    expect(client.room('lobby')!.getSnapshot().hasOlder).toBe(true);
  });

  it('rejects on an HTTP error or a malformed page, leaving the room unchanged', async () => {
    const fetch = fakeFetch({
      'http://test/api/rooms/lobby/messages?before=10&limit=50': [{ seq: 'x' }],
    });
    const client = createClient({ fetch });
    await joinedClient(client, { lastSeq: 10, history: [chatMessage(10)] });
    const before = client.room('lobby')!.getSnapshot();
    await expect(client.loadOlder('lobby')).rejects.toBeInstanceOf(HistoryRequestError);
    await expect(client.loadOlder('lobby', 7)).rejects.toMatchObject({ status: 404 });
    expect(client.room('lobby')!.getSnapshot()).toBe(before);
    await expect(client.loadOlder('nowhere')).rejects.toThrow(/Join "nowhere"/);
  });
});
