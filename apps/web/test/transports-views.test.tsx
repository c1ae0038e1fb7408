// @vitest-environment jsdom
import { TICKER_PATHS, type TickerStats } from '@duplex/protocol';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import TransportsPage from '@/app/transports/page';
import { ConfigProvider } from '@/components/config-provider';
import { TransportColumn } from '@/components/transports/transport-column';
import type { ClientView } from '@/lib/transports/transport-run';
import {
  FakeEventSource,
  FakeFetch,
  FakeWebSocket,
  eventsOf,
  json,
  pageOf,
} from './support/fake-ticker';

const API = 'http://api.test';

function statsBody(sseEvents: number, sseBytes: number): TickerStats {
  const zero = { requests: 0, emptyResponses: 0, events: 0, bytes: 0, open: 0 };
  return {
    transports: {
      poll: zero,
      long_poll: zero,
      sse: { ...zero, events: sseEvents, bytes: sseBytes, open: 1 },
      websocket: zero,
    },
    cpu: { userMicros: 0, systemMicros: 0 },
    serverTime: Date.now(),
  };
}

let fetch: FakeFetch;

beforeEach(() => {
  fetch = new FakeFetch();
  FakeEventSource.instances = [];
  FakeWebSocket.instances = [];
  vi.stubGlobal('fetch', fetch.fn);
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal('WebSocket', FakeWebSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function requestsTo(path: string) {
  return fetch.requests.filter((request) => request.url.pathname === path);
}

function column(transport: string) {
  return screen.getByTestId(`transport-${transport}`);
}

function valueIn(transport: string, testId: string): string | null {
  return within(column(transport)).getByTestId(testId).textContent;
}

/** Answers the run's stats requests (its baseline and clock samples) until the clients start. */
async function answerStatsUntilSockets(count: number) {
  await waitFor(
    async () => {
      await act(async () => {
        for (const request of requestsTo(TICKER_PATHS.stats)) request.answer(json(statsBody(0, 0)));
      });
      expect(FakeWebSocket.instances).toHaveLength(count);
    },
    { timeout: 2_000 },
  );
}

function renderPage() {
  return render(
    <ConfigProvider apiUrl={API}>
      <TransportsPage />
    </ConfigProvider>,
  );
}

describe('the transports page', () => {
  it('says what the four are, and has every control named', () => {
    renderPage();
    expect(screen.getByRole('heading', { level: 1 }).textContent).toMatch(/SSE and WebSocket/);
    const intro = screen.getByTestId('transports-intro').textContent ?? '';
    for (const part of ['Short polling', 'Long polling', 'Server-Sent Events', 'WebSocket'])
      expect(intro).toContain(part);
    for (const label of ['Event rate', 'Payload size', 'Short-poll interval', 'Long-poll wait'])
      expect(screen.getByLabelText(label).tagName).toBe('SELECT');
    expect(screen.getByRole('button', { name: 'Stop' })).toBeTruthy();
  });

  it('runs the four clients on one stream and shows what each received, gaps included', async () => {
    renderPage();
    // The run reads the server's counters first (its baseline, the clock), then starts the clients.
    expect(FakeWebSocket.instances).toHaveLength(0);
    await answerStatsUntilSockets(1);
    expect(requestsTo(TICKER_PATHS.stats).length).toBeGreaterThanOrEqual(3);
    const stream = { rate: 2, size: 16 };
    for (const url of [FakeEventSource.last.url, FakeWebSocket.last.url]) {
      expect(url.searchParams.get('rate')).toBe('2');
      expect(url.searchParams.get('size')).toBe('16');
    }
    await act(async () => {
      requestsTo(TICKER_PATHS.poll)[0]!.answer(pageOf(stream, [100], 99));
      requestsTo(TICKER_PATHS.longPoll)[0]!.answer(pageOf(stream, [100, 101], 99));
      FakeEventSource.last.open();
      for (const event of eventsOf(stream, [100, 101, 102])) FakeEventSource.last.emit(event);
      FakeWebSocket.last.open();
      for (const event of eventsOf(stream, [100, 101, 103])) FakeWebSocket.last.emit(event);
    });

    await waitFor(() => expect(valueIn('websocket', 'transport-events')).toBe('3'), {
      timeout: 2_000,
    });
    expect(valueIn('poll', 'transport-events')).toBe('1');
    expect(valueIn('long_poll', 'transport-events')).toBe('2');
    expect(valueIn('sse', 'transport-events')).toBe('3');
    expect(valueIn('websocket', 'transport-missing')).toBe('1');
    expect(valueIn('sse', 'transport-missing')).toBe('0');
    expect(valueIn('sse', 'transport-last-seq')).toBe('102');
    expect(valueIn('websocket', 'transport-open')).toBe('1');
    expect(screen.getByTestId('transports-conclusion').textContent).toContain(
      'WebSocket opened 1 connection for 3 events.',
    );
  });

  it('Stop stops all four and keeps focus on the button; a new rate starts them on the new stream', async () => {
    const user = userEvent.setup();
    renderPage();
    await answerStatsUntilSockets(1);

    const toggle = screen.getByTestId('transports-toggle');
    await user.click(toggle);
    expect(toggle.textContent).toBe('Start');
    expect(document.activeElement).toBe(toggle);
    expect(FakeEventSource.last.closed).toBe(true);
    expect(FakeWebSocket.last.closedWith?.code).toBe(1000);
    expect(screen.getByTestId('transports-status').textContent).toMatch(/^Stopped/);

    await user.click(toggle);
    expect(toggle.textContent).toBe('Stop');
    await user.selectOptions(screen.getByLabelText('Event rate'), '5');
    // Start opened a second run; the new rate replaced it before its clients started.
    await answerStatsUntilSockets(2);
    expect(FakeWebSocket.last.url.searchParams.get('rate')).toBe('5');
    expect(FakeEventSource.last.url.searchParams.get('rate')).toBe('5');
    expect(screen.getByTestId('transports-status').textContent).toContain('5 events/s');
  });
});

function clientView(over: Partial<ClientView>): ClientView {
  return {
    transport: 'poll',
    phase: { name: 'active' },
    counters: {
      events: 12,
      missing: 0,
      duplicates: 0,
      missed: 0,
      cursorResets: 0,
      lastSeq: 40,
      requests: 30,
      emptyResponses: 18,
    },
    openConnections: 1,
    latency: { p50: 120.4, p99: 240, recent: [100, 120, 240] },
    bytes: { source: 'resource-timing', total: 7_200, events: 12, perEvent: 600, hidden: 0 },
    server: { requests: 30, emptyResponses: 18, events: 12, bytes: 7_000, open: 0 },
    ...over,
  };
}

describe('TransportColumn', () => {
  it('shows a poller’s numbers and says its bytes come from Resource Timing', () => {
    render(<TransportColumn client={clientView({})} />);
    const card = screen.getByTestId('transport-poll');
    expect(within(card).getByRole('heading').textContent).toBe('Short polling');
    expect(within(card).getByTestId('transport-requests').textContent).toBe('30');
    expect(within(card).getByTestId('transport-empty').textContent).toBe('18');
    expect(within(card).getByTestId('transport-p50').textContent).toBe('120 ms');
    expect(within(card).getByTestId('transport-bytes-per-event').textContent).toBe('600');
    expect(card.textContent).toContain('browser, Resource Timing: 7200 B received');
    expect(within(card).getByRole('img').getAttribute('aria-label')).toBe(
      'Latency of the last 3 events, from 100 to 240 ms',
    );
  });

  it('says a stream’s bytes come from the server, and why a client stopped', () => {
    render(
      <TransportColumn
        client={clientView({
          transport: 'websocket',
          phase: { name: 'failed', reason: 'closed 4004: rate must be a decimal integer' },
          bytes: { source: 'server', total: 310, events: 10, perEvent: 31, hidden: 0 },
        })}
      />,
    );
    const card = screen.getByTestId('transport-websocket');
    expect(card.textContent).toContain('server counters: 310 B sent for 10 events');
    expect(within(card).getByTestId('transport-empty').textContent).toBe('—');
    expect(within(card).getByTestId('transport-phase').textContent).toBe(
      'Stopped: closed 4004: rate must be a decimal integer',
    );
    expect(card.getAttribute('data-phase')).toBe('failed');
  });
});
