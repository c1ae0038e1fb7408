import { DEFAULT_LIMITS, type AckData } from '@duplex/protocol';
import { DuplexClient, type DuplexClientOptions } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';

export function helloAck(overrides: Partial<AckData<'hello'>> = {}): AckData<'hello'> {
  return {
    userId: 'u-1',
    name: 'Ada',
    identity: 'identity-1',
    resume: 'token-1',
    resumed: false,
    rooms: [],
    iceServers: [{ urls: 'stun:stun.example.org:3478' }],
    limits: { ...DEFAULT_LIMITS },
    serverTime: new Date().toISOString(),
    ...overrides,
  };
}

/** Lets promise continuations (the client's hello handling) run. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

export function createClient(options: Partial<DuplexClientOptions> = {}): DuplexClient {
  return new DuplexClient({
    url: 'ws://test/ws',
    name: 'Ada',
    WebSocket: FakeWebSocket,
    random: () => 0.5, // jitter lands exactly on the nominal delay
    ...options,
  });
}

/** Opens the latest fake socket and answers its hello. */
export async function completeHandshake(
  socket: FakeWebSocket = FakeWebSocket.last,
  ack: Partial<AckData<'hello'>> = {},
): Promise<void> {
  if (socket.readyState === 0) socket.open();
  const hello = socket.framesOf('hello').at(-1);
  if (!hello?.id) throw new Error('no hello was sent');
  socket.ack(hello.id, helloAck(ack));
  await flushMicrotasks();
}

export async function connectReady(options: Partial<DuplexClientOptions> = {}): Promise<{
  client: DuplexClient;
  socket: FakeWebSocket;
}> {
  const client = createClient(options);
  client.connect();
  const socket = FakeWebSocket.last;
  await completeHandshake(socket);
  return { client, socket };
}
