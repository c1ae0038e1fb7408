import { randomUUID } from 'node:crypto';
import type { AckData } from '@duplex/protocol';
import { expect } from 'vitest';
import { WebSocket, type RawData } from 'ws';

/** A JSON frame the server sent on `/ws`. */
export interface ServerFrame {
  event: string;
  id?: string;
  // Frames are checked field by field in the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data: any;
}

export interface RawMessage {
  data: Buffer;
  isBinary: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConnectOptions {
  /** Sent as the `Origin` header of the upgrade request; none when absent. */
  origin?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;

function toBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}

interface Waiter {
  accept: (message: RawMessage) => boolean;
  resolve: (message: RawMessage) => void;
}

/**
 * A plain `ws` client with a buffered queue of everything received: tests take frames in order
 * (`next`) or pick the first matching one (`nextWhere`), leaving the others queued.
 */
export class RawClient {
  readonly closed: Promise<CloseInfo>;
  private readonly queue: RawMessage[] = [];
  private readonly waiters = new Set<Waiter>();
  private closeInfo: CloseInfo | null = null;
  private authenticated = false;
  private requestCounter = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw, isBinary) => this.push({ data: toBuffer(raw), isBinary }));
    // Errors (e.g. a close after a protocol violation) end in 'close'; keep them from throwing.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        resolve(this.closeInfo);
      });
    });
  }

  /** Opens a WebSocket and waits for it to be open. */
  static async connect(url: string, options: ConnectOptions = {}): Promise<RawClient> {
    const socket = new WebSocket(url, {
      ...(options.origin !== undefined && { headers: { Origin: options.origin } }),
    });
    const client = new RawClient(socket);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('unexpected-response', (_req, res) =>
          reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)),
        );
        socket.once('error', reject);
      }),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      `connect to ${url}`,
    );
    return client;
  }

  /**
   * Attempts an upgrade that the server is expected to refuse; resolves with the HTTP status of
   * the refusal, or rejects if the socket opens.
   */
  static async refusedStatus(url: string, options: ConnectOptions = {}): Promise<number> {
    const socket = new WebSocket(url, {
      ...(options.origin !== undefined && { headers: { Origin: options.origin } }),
    });
    socket.on('error', () => undefined);
    return withTimeout(
      new Promise<number>((resolve, reject) => {
        socket.once('unexpected-response', (req, res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
          req.destroy();
        });
        socket.once('open', () => {
          socket.terminate();
          reject(new Error('the upgrade was accepted'));
        });
      }),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      `refused upgrade to ${url}`,
    );
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  get isAuthenticated(): boolean {
    return this.authenticated;
  }

  /** Sends an object as JSON text, a string as text, a Buffer as a binary frame. */
  send(payload: object | string | Buffer): void {
    if (Buffer.isBuffer(payload)) this.socket.send(payload, { binary: true });
    else if (typeof payload === 'string') this.socket.send(payload, { binary: false });
    else this.socket.send(JSON.stringify(payload), { binary: false });
  }

  /** The next message of any kind, raw. */
  nextRaw(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawMessage> {
    return this.take(() => true, timeoutMs, 'the next message');
  }

  /** The next frame, parsed as JSON. */
  async next(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerFrame> {
    return parse(await this.nextRaw(timeoutMs));
  }

  /** The first queued or future JSON frame matching `predicate`; other frames stay queued. */
  async nextWhere(
    predicate: (frame: ServerFrame) => boolean,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    what = 'a matching frame',
  ): Promise<ServerFrame> {
    const message = await this.take(
      (message) => {
        if (message.isBinary) return false;
        try {
          return predicate(parse(message));
        } catch {
          return false;
        }
      },
      timeoutMs,
      what,
    );
    return parse(message);
  }

  /** Sends `{event, data, id}` with a fresh id; resolves with the reply carrying that id. */
  async request(
    event: string,
    data: unknown = {},
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ServerFrame> {
    const id = `r${++this.requestCounter}-${randomUUID().slice(0, 8)}`;
    this.send({ event, data, id });
    return this.nextWhere((frame) => frame.id === id, timeoutMs, `the reply to ${event} #${id}`);
  }

  /**
   * Like {@link request}, also giving the reply's size on the wire in bytes (for the bound on
   * server frames).
   */
  async requestMeasured(
    event: string,
    data: unknown = {},
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<{ frame: ServerFrame; bytes: number }> {
    const id = `r${++this.requestCounter}-${randomUUID().slice(0, 8)}`;
    this.send({ event, data, id });
    const message = await this.take(
      (candidate) => {
        if (candidate.isBinary) return false;
        try {
          return parse(candidate).id === id;
        } catch {
          return false;
        }
      },
      timeoutMs,
      `the reply to ${event} #${id}`,
    );
    return { frame: parse(message), bytes: message.data.length };
  }

  /** `hello` with protocol 1; resolves with the reply frame (ack or error). */
  async helloFrame(name: string, extra: Record<string, unknown> = {}): Promise<ServerFrame> {
    const reply = await this.request('hello', { protocol: 1, name, ...extra });
    if (reply.event === 'ack') this.authenticated = true;
    return reply;
  }

  /** `hello` that must succeed; resolves with the ack's data. */
  async hello(name: string, extra: Record<string, unknown> = {}): Promise<HelloAck> {
    const reply = await this.helloFrame(name, extra);
    if (reply.event !== 'ack') throw new Error(`hello failed: ${JSON.stringify(reply)}`);
    return reply.data as HelloAck;
  }

  /** Asserts that no message arrives within `ms` (and that none is already queued). */
  async expectNoFrame(ms = 300): Promise<void> {
    if (this.queue.length > 0) {
      throw new Error(`unexpected frame queued: ${describe(this.queue[0]!)}`);
    }
    const got = await new Promise<RawMessage | null>((resolve) => {
      const waiter: Waiter = { accept: () => true, resolve };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (this.waiters.delete(waiter)) resolve(null);
      }, ms);
    });
    if (got !== null) throw new Error(`unexpected frame within ${ms} ms: ${describe(got)}`);
  }

  /**
   * The next frame, which must match `predicate` (frames are taken in order, none skipped): the
   * check that nothing else arrived before a frame known to come after anything unwanted.
   */
  async nextMustBe(
    predicate: (frame: ServerFrame) => boolean,
    what: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ServerFrame> {
    const frame = await this.next(timeoutMs);
    if (!predicate(frame)) {
      throw new Error(`expected ${what} as the next frame, got ${JSON.stringify(frame)}`);
    }
    return frame;
  }

  /**
   * Asserts that no frame matching `unwanted` is queued or arrives before the first frame matching
   * `barrier` (other frames are left queued); resolves with the barrier frame.
   */
  async expectNoneBefore(
    unwanted: (frame: ServerFrame) => boolean,
    barrier: (frame: ServerFrame) => boolean,
    what: string,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ServerFrame> {
    const frame = await this.nextWhere(
      (candidate) => barrier(candidate) || unwanted(candidate),
      timeoutMs,
      what,
    );
    if (!barrier(frame))
      throw new Error(`unexpected frame before ${what}: ${JSON.stringify(frame)}`);
    return frame;
  }

  /**
   * Asserts that nothing is queued or arrives before the reply to a fresh `ping`: replies leave in
   * the order their frames arrived, so whatever this connection's earlier frames caused came
   * first. (Frames caused by other connections need a barrier of their own.)
   */
  async expectNothingBeforePing(): Promise<void> {
    const id = this.sendBarrierPing();
    await this.nextMustBe((frame) => frame.id === id, `the reply to the barrier ping ${id}`);
  }

  /**
   * Like {@link expectNothingBeforePing}, for frames matching `unwanted` only: others (e.g. timed
   * presence frames of other members) may come first and stay queued.
   */
  async expectNoneBeforePing(unwanted: (frame: ServerFrame) => boolean): Promise<void> {
    const id = this.sendBarrierPing();
    await this.expectNoneBefore(
      unwanted,
      (frame) => frame.id === id,
      `the reply to the barrier ping ${id}`,
    );
  }

  private sendBarrierPing(): string {
    const id = `barrier-${++this.requestCounter}-${randomUUID().slice(0, 8)}`;
    this.send({ event: 'ping', data: {}, id });
    return id;
  }

  /**
   * The connection still works: it is open, and (after a `hello` if it had none yet) a `ping`
   * gets its ack.
   */
  async expectUsable(): Promise<void> {
    expect(this.isOpen).toBe(true);
    if (!this.authenticated) await this.hello('usable-check');
    const reply = await this.request('ping', {});
    expect(reply.event).toBe('ack');
    expect(typeof reply.data.serverTime).toBe('string');
  }

  /** Resolves once closed, with the close code; rejects after `timeoutMs`. */
  waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    return withTimeout(this.closed, timeoutMs, 'the connection to close');
  }

  /** Closes from the client side and waits for the closing handshake. */
  async close(code = 1000): Promise<CloseInfo> {
    if (this.closeInfo) return this.closeInfo;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    else if (this.socket.readyState === WebSocket.CONNECTING) this.socket.terminate();
    return this.waitClosed();
  }

  /** Every message received and not yet taken. */
  drain(): RawMessage[] {
    return this.queue.splice(0, this.queue.length);
  }

  private push(message: RawMessage): void {
    for (const waiter of this.waiters) {
      if (waiter.accept(message)) {
        this.waiters.delete(waiter);
        waiter.resolve(message);
        return;
      }
    }
    this.queue.push(message);
  }

  private take(
    accept: (message: RawMessage) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<RawMessage> {
    const index = this.queue.findIndex(accept);
    if (index >= 0) return Promise.resolve(this.queue.splice(index, 1)[0]!);
    return new Promise<RawMessage>((resolve, reject) => {
      const waiter: Waiter = { accept, resolve };
      this.waiters.add(waiter);
      setTimeout(() => {
        if (!this.waiters.delete(waiter)) return;
        const state = this.closeInfo ? `closed ${this.closeInfo.code}` : 'open';
        const queued = this.queue.map(describe).join(', ') || 'nothing';
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what} (socket ${state}; queued: ${queued})`,
          ),
        );
      }, timeoutMs);
    });
  }
}

/** The data of a `hello` ack. */
export type HelloAck = AckData<'hello'>;

function parse(message: RawMessage): ServerFrame {
  if (message.isBinary)
    throw new Error(`expected a text frame, got ${message.data.length} binary bytes`);
  return JSON.parse(message.data.toString('utf8')) as ServerFrame;
}

function describe(message: RawMessage): string {
  if (message.isBinary) return `<binary ${message.data.length} bytes>`;
  const text = message.data.toString('utf8');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts an `error` frame per PROTOCOL.md: its code, `details.fields` only for `bad_message`, and its id. */
export function expectError(
  frame: ServerFrame,
  code: string,
  options: { fields?: string[]; id?: string | null } = {},
): void {
  expect(frame.event).toBe('error');
  expect(frame.data.code).toBe(code);
  expect(typeof frame.data.message).toBe('string');
  expect(frame.data.message.length).toBeGreaterThan(0);
  if (code === 'bad_message') {
    expect(Array.isArray(frame.data.details?.fields)).toBe(true);
    if (options.fields !== undefined) {
      expect([...(frame.data.details.fields as string[])].sort()).toEqual(
        [...options.fields].sort(),
      );
    }
  } else {
    expect(frame.data).not.toHaveProperty('details');
  }
  if (options.id === null) expect(frame).not.toHaveProperty('id');
  else if (options.id !== undefined) expect(frame.id).toBe(options.id);
}

/**
 * Asserts an `error` frame of an error no field is at fault for (a second `hello`, a binary
 * frame): its code, no `details` at all, and its id.
 */
export function expectErrorWithoutDetails(
  frame: ServerFrame,
  code: string,
  options: { id?: string | null } = {},
): void {
  expect(frame.event).toBe('error');
  expect(frame.data.code).toBe(code);
  expect(typeof frame.data.message).toBe('string');
  expect(frame.data.message.length).toBeGreaterThan(0);
  expect(frame.data).not.toHaveProperty('details');
  if (options.id === null) expect(frame).not.toHaveProperty('id');
  else if (options.id !== undefined) expect(frame.id).toBe(options.id);
}

/** `Date.prototype.toISOString()` output. */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
