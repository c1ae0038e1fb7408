// @vitest-environment jsdom
import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionBanner } from '@/components/chat/connection-banner';
import { useConnectionStatus } from '@/hooks/use-connection-status';
import { FakeDuplexClient, session, withClient } from './support/fake-duplex-client';

function Banner() {
  return <ConnectionBanner status={useConnectionStatus()} />;
}

function renderBanner(client: FakeDuplexClient) {
  return render(<Banner />, { wrapper: withClient(client) });
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  act(() => {
    window.dispatchEvent(new Event('online'));
  });
  vi.useRealTimers();
});

describe('ConnectionBanner', () => {
  it('shows nothing while connected or during the first attempt', () => {
    const client = new FakeDuplexClient();
    const { container } = renderBanner(client);
    expect(container.textContent).toBe('');
    act(() => client.update({ state: 'ready', session: session() }));
    expect(container.textContent).toBe('');
  });

  it('never connected: says so and why, counts down to the next attempt, and offers Retry now', () => {
    const client = new FakeDuplexClient();
    renderBanner(client);
    act(() =>
      client.update({
        state: 'reconnecting',
        lastDisconnect: { code: 1006, reason: '' },
        nextRetryAt: Date.now() + 4000,
      }),
    );
    const banner = screen.getByTestId('connection-banner');
    expect(banner.dataset.connection).toBe('never-connected');
    expect(banner.textContent).toContain('Can’t reach the server.');
    expect(banner.textContent).toContain('The server did not answer');
    expect(banner.textContent).not.toContain('Reconnecting');
    expect(screen.getByTestId('retry-countdown').textContent).toBe('Retrying in 4 s…');
    act(() => vi.advanceTimersByTime(1000));
    expect(screen.getByTestId('retry-countdown').textContent).toBe('Retrying in 3 s…');

    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(client.retryNow).toHaveBeenCalledTimes(1);

    // The attempt is under way: nothing to retry meanwhile.
    act(() => client.update({ nextRetryAt: null }));
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
    expect(screen.getByTestId('retry-countdown').textContent).toBe('Trying again now…');
  });

  it('reconnecting: says messages are queued, when the next attempt is, and offers Retry now', () => {
    const client = new FakeDuplexClient();
    client.update({ state: 'ready', session: session() });
    renderBanner(client);
    act(() =>
      client.update({
        state: 'reconnecting',
        lastDisconnect: { code: 1006, reason: '' },
        nextRetryAt: Date.now() + 8000,
      }),
    );
    const banner = screen.getByTestId('reconnecting-banner');
    expect(banner.dataset.connection).toBe('reconnecting');
    expect(banner.textContent).toContain('Reconnecting…');
    expect(banner.textContent).toContain('queued');
    expect(screen.getByTestId('retry-countdown').textContent).toBe('Retrying in 8 s…');
    fireEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(client.retryNow).toHaveBeenCalledTimes(1);

    act(() => client.update({ state: 'ready', nextRetryAt: null }));
    expect(screen.queryByTestId('reconnecting-banner')).toBeNull();
  });

  it('hands the focus on to the composer when Retry now goes away focused', () => {
    const client = new FakeDuplexClient();
    client.update({ state: 'ready', session: session() });
    render(
      <>
        <Banner />
        <textarea id="composer" />
      </>,
      { wrapper: withClient(client) },
    );
    act(() => client.update({ state: 'reconnecting', nextRetryAt: Date.now() + 8000 }));
    const retry = screen.getByRole('button', { name: 'Retry now' });
    retry.focus();
    act(() => client.update({ state: 'ready', nextRetryAt: null }));
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
    expect(document.activeElement).toBe(document.getElementById('composer'));
  });

  it('offline: says it reconnects when the network is back, with nothing to retry before', () => {
    const client = new FakeDuplexClient();
    client.update({ state: 'ready', session: session() });
    renderBanner(client);
    act(() => {
      window.dispatchEvent(new Event('offline'));
      client.update({ state: 'reconnecting', nextRetryAt: Date.now() + 2000 });
    });
    const banner = screen.getByTestId('reconnecting-banner');
    expect(banner.dataset.connection).toBe('offline');
    expect(banner.textContent).toContain('You’re offline.');
    expect(banner.textContent).toContain('when the network is back');
    expect(screen.queryByRole('button', { name: 'Retry now' })).toBeNull();
  });

  it('closed: says it will not retry and offers a reload', () => {
    const client = new FakeDuplexClient();
    renderBanner(client);
    act(() => client.update({ state: 'closed' }));
    expect(screen.getByRole('alert').textContent).toContain('will not retry');
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
  });
});
