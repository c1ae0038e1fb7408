// @vitest-environment jsdom
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatRoom } from '@/components/chat/chat-room';
import { FakeDuplexClient, session, withClient } from './support/fake-duplex-client';

beforeEach(() => {
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
  vi.stubGlobal('matchMedia', () => ({ matches: false }));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

async function joinedRoom() {
  const client = new FakeDuplexClient();
  client.update({ state: 'ready', session: session() });
  render(<ChatRoom room="general" />, { wrapper: withClient(client) });
  await act(async () => client.acceptJoin('general'));
  return client;
}

describe('ChatRoom: the member sheet', () => {
  it('opens from the Members button as a labelled modal dialog with the focus inside', async () => {
    await joinedRoom();
    const button = screen.getByTestId('members-button');
    expect(button.getAttribute('aria-haspopup')).toBe('dialog');
    expect(button.textContent).toContain('Members');
    expect(button.textContent).toContain('2');
    expect(screen.queryByRole('dialog')).toBeNull();

    fireEvent.click(button);
    const dialog = screen.getByRole('dialog', { name: /In the room/ });
    expect(dialog.hasAttribute('open')).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(document.activeElement).toBe(screen.getByTestId('members-drawer-close'));
    // One member list on the page: the one in the sheet.
    expect(screen.getAllByTestId('member-list')).toHaveLength(1);
    expect(dialog.contains(screen.getByTestId('member-list'))).toBe(true);
    expect(
      within(dialog)
        .getAllByTestId('member')
        .map((row) => row.dataset.name),
    ).toEqual(['Ann', 'Bob']);
  });

  it('keeps Tab and Shift+Tab inside, and Esc closes it, the focus back on the button', async () => {
    await joinedRoom();
    const button = screen.getByTestId('members-button');
    button.focus();
    fireEvent.click(button);
    const dialog = screen.getByRole('dialog');
    const close = screen.getByTestId('members-drawer-close');
    const focusable = dialog.querySelectorAll<HTMLElement>('button:not([disabled])');
    const last = focusable[focusable.length - 1]!;

    fireEvent.keyDown(close, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(close);

    fireEvent.keyDown(close, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
    expect(screen.getAllByTestId('member-list')).toHaveLength(1);
  });

  it('closes with its close button, the focus back on the button', async () => {
    await joinedRoom();
    const button = screen.getByTestId('members-button');
    fireEvent.click(button);
    fireEvent.click(screen.getByTestId('members-drawer-close'));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(button);
  });
});

describe('ChatRoom: connection truth', () => {
  it('greys the count and members as the last known while reconnecting, live again once joined', async () => {
    const client = await joinedRoom();
    const count = screen.getByTestId('online-count');
    expect(count.dataset.stale).toBeUndefined();
    expect(screen.getByTestId('online-summary').querySelector('[data-live="true"]')).not.toBeNull();

    act(() => {
      client.update({ state: 'reconnecting', nextRetryAt: Date.now() + 4000 });
      client.stores.get('general')!.set({ live: false });
    });
    expect(count.dataset.stale).toBe('true');
    expect(count.textContent).toBe('2');
    expect(screen.getByTestId('online-summary').textContent).toContain('last known');
    expect(screen.getByTestId('member-list').dataset.stale).toBe('true');
    expect(screen.getByTestId('members-stale').textContent).toContain('Last known');
    expect(screen.getByTestId('members-online').textContent).toContain('(last known)');
    expect(screen.getByTestId('members-button').textContent).toContain('last known');
    expect(document.querySelector('[data-live="true"]')).toBeNull();

    // Connected again, but not joined yet: still the last known.
    act(() => client.update({ state: 'ready', nextRetryAt: null }));
    expect(count.dataset.stale).toBe('true');
    act(() => client.stores.get('general')!.set({ live: true, online: 3 }));
    expect(count.dataset.stale).toBeUndefined();
    expect(count.textContent).toBe('3');
    expect(screen.getByTestId('member-list').dataset.stale).toBeUndefined();
    expect(screen.getByTestId('online-summary').querySelector('[data-live="true"]')).not.toBeNull();
  });

  it('says what the room waits for when the server was never reached, with Retry now', () => {
    const client = new FakeDuplexClient();
    render(<ChatRoom room="general" />, { wrapper: withClient(client) });
    expect(screen.getByTestId('room-joining').textContent).toBe('Joining…');

    act(() =>
      client.update({
        state: 'reconnecting',
        lastDisconnect: { code: 1006, reason: '' },
        nextRetryAt: Date.now() + 4000,
      }),
    );
    expect(screen.queryByTestId('room-joining')).toBeNull();
    const waiting = screen.getByTestId('room-waiting');
    expect(waiting.textContent).toContain('Waiting for the server to open #general.');
    expect(waiting.textContent).toContain('The server did not answer');
    expect(screen.getByTestId('online-summary').textContent).toBe('not connected');
    fireEvent.click(within(waiting).getByRole('button', { name: 'Retry now' }));
    expect(client.retryNow).toHaveBeenCalledTimes(1);
  });
});
