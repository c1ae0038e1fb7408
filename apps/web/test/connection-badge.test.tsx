// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionBadge } from '@/components/connection-badge';
import { FakeDuplexClient, session, withClient } from './support/fake-duplex-client';

function renderBadge(client: FakeDuplexClient | null) {
  render(<ConnectionBadge />, { wrapper: withClient(client) });
  return screen.getByTestId('connection-badge');
}

afterEach(() => {
  act(() => {
    window.dispatchEvent(new Event('online'));
  });
});

describe('ConnectionBadge', () => {
  it('says it is connecting before the client exists', () => {
    const badge = renderBadge(null);
    expect(badge.textContent).toBe('Connecting…');
    expect(badge.dataset.connection).toBe('connecting');
    expect(badge.dataset.state).toBe('idle');
  });

  it('says the server cannot be reached, not "Reconnecting…", for a client that never connected', () => {
    const client = new FakeDuplexClient();
    const badge = renderBadge(client);
    expect(badge.textContent).toBe('Connecting…');
    act(() =>
      client.update({
        state: 'reconnecting',
        nextRetryAt: Date.now() + 4000,
        lastDisconnect: { code: 1006, reason: '' },
      }),
    );
    expect(badge.textContent).toBe('Can’t reach the server');
    expect(badge.textContent).not.toContain('Reconnecting');
    expect(badge.dataset.connection).toBe('never-connected');
    expect(badge.dataset.state).toBe('reconnecting');
    expect(badge.title).toContain('The server did not answer');
  });

  it('says it is connected, as whom, then reconnecting once that connection is lost', () => {
    const client = new FakeDuplexClient();
    const badge = renderBadge(client);
    act(() => client.update({ state: 'ready', session: session() }));
    expect(badge.dataset.connection).toBe('ready');
    expect(badge.textContent).toBe('ConnectedAnn');
    expect(badge.dataset.userId).toBe(session().userId);
    expect(badge.title).toBe('Connected as Ann');

    act(() => client.update({ state: 'reconnecting', nextRetryAt: Date.now() + 500 }));
    expect(badge.textContent).toBe('Reconnecting…');
    expect(badge.dataset.connection).toBe('reconnecting');
    expect(badge.dataset.userId).toBe('');
  });

  it('shows a new name the user took in another tab at once', () => {
    const client = new FakeDuplexClient();
    const badge = renderBadge(client);
    act(() => client.update({ state: 'ready', session: session() }));
    act(() => client.rename('Annie'));
    expect(badge.textContent).toBe('ConnectedAnnie');
    expect(badge.title).toBe('Connected as Annie');
  });

  it('says the browser is offline while it is, whatever the client tries meanwhile', () => {
    const client = new FakeDuplexClient();
    client.update({ state: 'ready', session: session() });
    const badge = renderBadge(client);
    act(() => {
      window.dispatchEvent(new Event('offline'));
      client.update({ state: 'reconnecting' });
    });
    expect(badge.textContent).toBe('You’re offline');
    expect(badge.dataset.connection).toBe('offline');
    act(() => {
      window.dispatchEvent(new Event('online'));
    });
    expect(badge.textContent).toBe('Reconnecting…');
  });

  it('says disconnected once the client closed for good', () => {
    const client = new FakeDuplexClient();
    const badge = renderBadge(client);
    act(() => client.update({ state: 'closed' }));
    expect(badge.textContent).toBe('Disconnected');
    expect(badge.dataset.connection).toBe('closed');
  });
});
