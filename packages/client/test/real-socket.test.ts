import { decode, DEFAULT_LIMITS, errorFrame, ErrorCode, type ClientFrame } from '@duplex/protocol';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { DuplexClient, RequestError, type ConnectionState } from '../src/index.js';

/** Just enough of the Duplex server: hello (with resume tokens and an identity) and ping. */
function startServer(): Promise<{ server: WebSocketServer; url: string; hellos: ClientFrame[] }> {
  const hellos: ClientFrame[] = [];
  let tokens = 0;
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => {
    socket.on('message', (raw, isBinary) => {
      const decoded = decode(isBinary ? '' : raw.toString());
      if (!decoded.ok) {
        socket.send(JSON.stringify(errorFrame(decoded.error)));
        return;
      }
      const frame = decoded.value;
      const reply = (data: object) =>
        socket.send(JSON.stringify({ event: 'ack', id: frame.id, data }));
      if (frame.event === 'hello') {
        hellos.push(frame);
        const resumed = frame.data.resume === `token-${tokens}`;
        reply({
          userId: 'u-1',
          name: frame.data.name,
          identity: 'identity-u-1',
          resume: `token-${++tokens}`,
          resumed,
          rooms: [],
          iceServers: [],
          limits: DEFAULT_LIMITS,
          serverTime: new Date().toISOString(),
        });
      } else if (frame.event === 'ping') {
        reply({ serverTime: new Date().toISOString() });
      } else {
        socket.send(
          JSON.stringify(
            errorFrame({
              code: ErrorCode.NotInRoom,
              message: 'nope',
              ...(frame.id && { id: frame.id }),
            }),
          ),
        );
      }
    });
  });
  return new Promise((resolve) => {
    server.on('listening', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `ws://127.0.0.1:${port}/ws`, hellos });
    });
  });
}

function waitForState(client: DuplexClient, wanted: ConnectionState): Promise<void> {
  if (client.state === wanted) return Promise.resolve();
  return new Promise((resolve) => {
    const off = client.on('state', (state) => {
      if (state === wanted) {
        off();
        resolve();
      }
    });
  });
}

let server: WebSocketServer;
let url: string;
let hellos: ClientFrame[];
let client: DuplexClient | undefined;

beforeEach(async () => {
  ({ server, url, hellos } = await startServer());
});
afterEach(async () => {
  client?.close();
  for (const socket of server.clients) socket.terminate();
  await new Promise((resolve) => server.close(resolve));
});

describe('over a real ws socket', () => {
  it('authenticates, pings, gets request errors, and reconnects with its resume token', async () => {
    client = new DuplexClient({
      url,
      name: '  Ada  ',
      WebSocket,
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    const ping = client.request('ping', {}); // before connect: waits for ready
    client.connect();
    await waitForState(client, 'ready');

    expect(client.session).toMatchObject({ userId: 'u-1', name: 'Ada', resume: 'token-1' });
    const { serverTime } = await ping;
    expect(Number.isNaN(Date.parse(serverTime))).toBe(false);
    expect(hellos[0]?.data).toEqual({ protocol: 1, name: 'Ada' });

    const failure = await client
      .request('room.leave', { room: 'lobby' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RequestError);
    expect((failure as RequestError).code).toBe('not_in_room');

    const closes: boolean[] = [];
    client.on('close', (info) => closes.push(info.willReconnect));
    for (const socket of server.clients) socket.terminate();
    await waitForState(client, 'reconnecting');
    await waitForState(client, 'ready');

    expect(closes).toEqual([true]);
    expect(hellos).toHaveLength(2);
    expect(hellos[1]?.data).toMatchObject({ resume: 'token-1', identity: 'identity-u-1' });
    expect(client.session?.resume).toBe('token-2');
    expect(client.session?.resumed).toBe(true);
    await expect(client.request('ping', {})).resolves.toHaveProperty('serverTime');
  });
});
