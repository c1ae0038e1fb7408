import type { CloseEventLike, MessageEventLike, WebSocketLike } from '../src/index.js';

type SentFrame = { event: string; data: Record<string, unknown>; id?: string };

/** An in-memory WebSocket: the test plays the server by calling `open`, `receive`, `serverClose`. */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageEventLike) => void) | null = null;
  onclose: ((event: CloseEventLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: string[] = [];
  closedByClient: { code: number | undefined; reason: string | undefined } | undefined;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('InvalidStateError: socket not open');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState >= 2) return;
    this.closedByClient = { code, reason };
    this.readyState = 2;
    // Like a real socket, the close event comes later.
    queueMicrotask(() => this.finishClose(code ?? 1005, reason ?? ''));
  }

  // ---- the server's side ----

  get frames(): SentFrame[] {
    return this.sent.map((text) => JSON.parse(text) as SentFrame);
  }

  get lastFrame(): SentFrame {
    const frame = this.frames.at(-1);
    if (!frame) throw new Error('nothing was sent');
    return frame;
  }

  framesOf(event: string): SentFrame[] {
    return this.frames.filter((frame) => frame.event === event);
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data });
  }

  ack(id: string | undefined, data: unknown): void {
    this.receive({ event: 'ack', id, data });
  }

  fail(id: string | undefined, code: string, message = code, fields?: string[]): void {
    this.receive({
      event: 'error',
      ...(id !== undefined && { id }),
      data: { code, message, ...(fields && { details: { fields } }) },
    });
  }

  serverClose(code: number, reason = ''): void {
    this.onerror?.({ type: 'error' });
    this.finishClose(code, reason);
  }

  private finishClose(code: number, reason: string): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}
