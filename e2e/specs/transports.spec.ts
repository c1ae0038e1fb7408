/**
 * The transports page (/transports): short polling, long polling, SSE and WebSocket on one
 * ticker stream, in the browser, against the real api. Each client's gap detector must stay at 0
 * through an api restart, and the polling requests the page counts must be the server's.
 */
import {
  TICKER_PATHS,
  TICKER_TRANSPORTS,
  tickerDueSeq,
  tickerStats,
  type TickerStats,
  type TickerTransport,
} from '@duplex/protocol';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ENV, requireEnv } from '../support/env.js';
import { startSharedApi, stopSharedApi } from '../support/shared-api.js';

/** The label of the page's event-rate field (events per second). */
const RATE_FIELD = 'Event rate';
/** Seconds the clients may take to come back: the api's start plus their longest back-off. */
const RECOVERY_TIMEOUT_MS = 45_000;

class TransportsPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/transports');
    await expect(this.page.getByTestId('transports-columns')).toBeVisible({ timeout: 20_000 });
  }

  column(transport: TickerTransport): Locator {
    return this.page.getByTestId(`transport-${transport}`);
  }

  /** A number the column shows (its `data-value`); null when it shows none. */
  async value(transport: TickerTransport, testId: string): Promise<number | null> {
    const raw = await this.column(transport).getByTestId(testId).getAttribute('data-value');
    return raw === null ? null : Number(raw);
  }

  async rate(): Promise<number> {
    return Number(await this.page.getByLabel(RATE_FIELD).inputValue());
  }

  get toggle(): Locator {
    return this.page.getByTestId('transports-toggle');
  }

  async expectReceiving(transport: TickerTransport, atLeast: number, timeout = 20_000) {
    await expect
      .poll(() => this.value(transport, 'transport-events'), {
        message: `${transport}: events received`,
        timeout,
      })
      .toBeGreaterThanOrEqual(atLeast);
  }

  /** Reaching `seq`: every event up to it has arrived (with no gap, checked separately). */
  async expectLastSeqAtLeast(transport: TickerTransport, seq: number, timeout: number) {
    await expect
      .poll(() => this.value(transport, 'transport-last-seq'), {
        message: `${transport}: last seq`,
        timeout,
      })
      .toBeGreaterThanOrEqual(seq);
  }

  async expectNoGaps(transport: TickerTransport): Promise<void> {
    expect(await this.value(transport, 'transport-missing'), `${transport}: missing`).toBe(0);
    expect(await this.value(transport, 'transport-duplicates'), `${transport}: duplicated`).toBe(0);
    // A refused (too old) cursor would show the events skipped: none were.
    await expect(this.column(transport).getByTestId('transport-skipped')).toHaveCount(0);
  }

  async stop(): Promise<void> {
    await expect(this.toggle).toHaveText('Stop');
    await this.toggle.click();
    for (const transport of TICKER_TRANSPORTS) {
      // The pollers first get the answer to the request they have in flight.
      await expect(this.column(transport)).toHaveAttribute('data-phase', 'stopped');
    }
  }

  async start(): Promise<void> {
    await expect(this.toggle).toHaveText('Start');
    await this.toggle.click();
    await expect(this.toggle).toHaveText('Stop');
  }
}

async function serverStats(): Promise<TickerStats> {
  const response = await fetch(`${requireEnv(ENV.apiUrl)}${TICKER_PATHS.stats}`);
  expect(response.status).toBe(200);
  return tickerStats.parse(await response.json());
}

test.describe('transports page', () => {
  test('all four receive the stream, with no missing or duplicated seq', async ({ page }) => {
    const transports = new TransportsPage(page);
    await transports.open();
    for (const transport of TICKER_TRANSPORTS) await transports.expectReceiving(transport, 3);
    for (const transport of TICKER_TRANSPORTS) await transports.expectNoGaps(transport);
    // Bytes are measured: the pollers' from Resource Timing, which needs Timing-Allow-Origin.
    for (const transport of ['poll', 'long_poll'] as const) {
      const column = transports.column(transport);
      await expect(column).toContainText('browser, Resource Timing');
      await expect(column).not.toContainText('hidden');
      expect(await transports.value(transport, 'transport-bytes-per-event')).toBeGreaterThan(0);
    }
    for (const transport of ['sse', 'websocket'] as const) {
      await expect(transports.column(transport)).toContainText('server counters');
    }
    await expect(page.getByTestId('transports-conclusion')).toContainText('Short polling made');
  });

  test('a new event rate starts all four again on the new stream', async ({ page }) => {
    const transports = new TransportsPage(page);
    await transports.open();
    for (const transport of TICKER_TRANSPORTS) await transports.expectReceiving(transport, 1);
    const newRate = 10;
    expect(await transports.rate()).not.toBe(newRate);
    const changedAt = Date.now();
    await page.getByLabel(RATE_FIELD).selectOption(String(newRate));
    await expect(page.getByTestId('transports-status')).toContainText(`${newRate} events/s`);
    // The seqs of a stream count its events since the epoch: only the new stream reaches these.
    const firstOfNewStream = tickerDueSeq(newRate, changedAt);
    for (const transport of TICKER_TRANSPORTS) {
      await transports.expectLastSeqAtLeast(transport, firstOfNewStream, 20_000);
      await transports.expectReceiving(transport, 3);
      await transports.expectNoGaps(transport);
    }
  });

  test('is in the header and linked from the home page', async ({ page }) => {
    await page.goto('/');
    await page.getByTestId('transports-link').click();
    await expect(page).toHaveURL(/\/transports$/);
    const navLink = page.getByRole('navigation').getByRole('link', { name: 'Transports' });
    await expect(navLink).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('transports-columns')).toBeVisible();
  });

  test('after an api restart all four recover, with no missing or duplicated seq', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const transports = new TransportsPage(page);
    await transports.open();
    const rate = await transports.rate();
    for (const transport of TICKER_TRANSPORTS) await transports.expectReceiving(transport, 2);

    await stopSharedApi();
    try {
      for (const transport of TICKER_TRANSPORTS) {
        // Each client notices the outage (a failed request, a dropped stream or socket).
        await expect(transports.column(transport)).toHaveAttribute('data-phase', 'retrying', {
          timeout: 15_000,
        });
      }
    } finally {
      await startSharedApi();
    }

    // Every event due by now must arrive, those of the outage included, each once.
    const dueAfterRestart = tickerDueSeq(rate, Date.now());
    for (const transport of TICKER_TRANSPORTS) {
      await transports.expectLastSeqAtLeast(transport, dueAfterRestart + 1, RECOVERY_TIMEOUT_MS);
    }
    for (const transport of TICKER_TRANSPORTS) await transports.expectNoGaps(transport);
  });

  test('the polling requests the page counts are the ones the server counted', async ({ page }) => {
    const transports = new TransportsPage(page);
    await transports.open();
    await transports.stop();
    const before = await serverStats();

    await transports.start();
    await transports.expectReceiving('poll', 3);
    await transports.expectReceiving('long_poll', 3);
    await transports.stop();
    const after = await serverStats();

    for (const transport of ['poll', 'long_poll'] as const) {
      const server = (key: 'requests' | 'emptyResponses' | 'events') =>
        after.transports[transport][key] - before.transports[transport][key];
      const requests = await transports.value(transport, 'transport-requests');
      expect(requests, `${transport}: requests`).toBeGreaterThan(0);
      expect(requests, `${transport}: requests`).toBe(server('requests'));
      expect(await transports.value(transport, 'transport-empty'), `${transport}: empty`).toBe(
        server('emptyResponses'),
      );
      expect(await transports.value(transport, 'transport-events'), `${transport}: events`).toBe(
        server('events'),
      );
      await transports.expectNoGaps(transport);
    }
    const pollRequests = await transports.value('poll', 'transport-requests');
    await expect(page.getByTestId('transports-conclusion')).toContainText(
      `Short polling made ${pollRequests} requests`,
    );
  });
});
