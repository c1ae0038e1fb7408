import { tickerEventOf, type TickerEvent, type TickerStream } from '@duplex/protocol';

/** A `fetch` whose answers the test gives, one request at a time. */
export class FakeFetch {
  readonly requests: {
    url: URL;
    signal: AbortSignal | undefined;
    answer(response: Response): void;
    fail(error?: Error): void;
  }[] = [];

  readonly fn: typeof fetch = (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const signal = init?.signal ?? undefined;
      signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      this.requests.push({
        url: new URL(String(input)),
        signal,
        answer: resolve,
        fail: (error = new TypeError('Failed to fetch')) => reject(error),
      });
    });

  get last() {
    const request = this.requests.at(-1);
    if (!request) throw new Error('no request yet');
    return request;
  }

  /** `after` of the latest request, or null without one. */
  get lastAfter(): string | null {
    return this.last.url.searchParams.get('after');
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

export function eventsOf(stream: TickerStream, seqs: readonly number[]): TickerEvent[] {
  return seqs.map((seq) => tickerEventOf(seq, stream));
}

/** A ticker page holding `seqs`; `next` the last of them, or `after` without any. */
export function pageOf(
  stream: TickerStream,
  seqs: readonly number[],
  after: number,
  more = false,
): Response {
  return json({ events: eventsOf(stream, seqs), next: seqs.at(-1) ?? after, more });
}

/** Stands in for the browser's `EventSource`: the test opens, feeds, drops and fails it. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closed = false;
  readonly url: URL;

  constructor(url: string) {
    this.url = new URL(url);
    FakeEventSource.instances.push(this);
  }

  static get last(): FakeEventSource {
    const source = FakeEventSource.instances.at(-1);
    if (!source) throw new Error('no EventSource yet');
    return source;
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  emit(event: TickerEvent | string): void {
    const data = typeof event === 'string' ? event : JSON.stringify(event);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  /** The stream dropped: the browser will reconnect by itself. */
  drop(): void {
    this.readyState = 0;
    this.onerror?.(new Event('error'));
  }

  /** The browser gave up (an HTTP error status). */
  fail(): void {
    this.readyState = 2;
    this.onerror?.(new Event('error'));
  }
}

/** Stands in for the browser's `WebSocket`. */
export class FakeWebSocket {
  static instances: FakeWebSocket[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closedWith: { code?: number; reason?: string } | null = null;
  readonly url: URL;

  constructor(url: string) {
    this.url = new URL(url);
    FakeWebSocket.instances.push(this);
  }

  static get last(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no WebSocket yet');
    return socket;
  }

  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }

  open(): void {
    this.onopen?.(new Event('open'));
  }

  emit(event: TickerEvent | string): void {
    const data = typeof event === 'string' ? event : JSON.stringify(event);
    this.onmessage?.(new MessageEvent('message', { data }));
  }

  /** The server (or the network) closed it. */
  serverClose(code: number, reason = ''): void {
    this.onclose?.({ code, reason, wasClean: code !== 1006 } as CloseEvent);
  }
}
