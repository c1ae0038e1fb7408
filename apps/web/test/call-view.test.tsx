// @vitest-environment jsdom
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { CallLayer } from '@/components/call/call-layer';
import { CallManagerContext } from '@/hooks/use-call';
import { maxSideWidth, SIDE_COLUMN } from '@/lib/call-layout';
import { callSnapshot, FakeManager, FakeSession, setViewportWidth } from './support/fake-call';

function renderCall(session: FakeSession) {
  const manager = new FakeManager();
  manager.publish(session);
  const result = render(
    <CallManagerContext.Provider value={manager.asManager()}>
      <div className="app-shell">
        <main className="site-main">
          <button type="button">Call Bob</button>
          <textarea data-testid="composer-input" aria-label="Message" />
        </main>
      </div>
      <CallLayer />
    </CallManagerContext.Provider>,
  );
  return { manager, ...result };
}

const html = () => document.documentElement;

beforeEach(() => {
  window.localStorage.clear();
});

afterEach(() => {
  setViewportWidth(1024);
});

describe('the call on a wide window (stage)', () => {
  beforeEach(() => setViewportWidth(1366));

  it('takes the stage and shapes the page into a side column', () => {
    const { unmount } = renderCall(new FakeSession(callSnapshot()));
    const view = screen.getByTestId('call-view');
    expect(view.dataset.layout).toBe('stage');
    expect(html().dataset.callLayout).toBe('stage');
    expect(html().dataset.callSide).toBe('shown');
    expect(html().style.getPropertyValue('--call-side-width')).toBe(`${SIDE_COLUMN.defaultPx}px`);
    unmount();
    expect(html().dataset.callLayout).toBeUndefined();
    expect(html().style.getPropertyValue('--call-side-width')).toBe('');
  });

  it('resizes the side column from the keyboard and remembers the width', async () => {
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot()));
    const separator = screen.getByRole('separator', { name: /resize the page/i });
    expect(separator.getAttribute('aria-valuenow')).toBe('380');
    separator.focus();
    await user.keyboard('{ArrowLeft}{ArrowLeft}');
    expect(separator.getAttribute('aria-valuenow')).toBe('420');
    await user.keyboard('{ArrowRight}');
    expect(separator.getAttribute('aria-valuenow')).toBe('400');
    expect(html().style.getPropertyValue('--call-side-width')).toBe('400px');
    expect(window.localStorage.getItem(SIDE_COLUMN.storageKey)).toBe('400');
  });

  it('resizes the side column with a click, without dragging', async () => {
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot()));
    const separator = screen.getByRole('separator', { name: /resize the page/i });
    await user.click(separator);
    expect(separator.getAttribute('aria-valuenow')).toBe(String(maxSideWidth(1366)));
    await user.click(separator);
    expect(separator.getAttribute('aria-valuenow')).toBe(String(SIDE_COLUMN.minPx));
  });

  it('starts from the remembered width', () => {
    window.localStorage.setItem(SIDE_COLUMN.storageKey, '500');
    renderCall(new FakeSession(callSnapshot()));
    expect(screen.getByRole('separator').getAttribute('aria-valuenow')).toBe('500');
  });

  it('hides the side column and shows it again', async () => {
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot()));
    await user.click(screen.getByRole('button', { name: 'Hide page' }));
    expect(html().dataset.callSide).toBe('collapsed');
    expect(screen.getByTestId('call-view').dataset.side).toBe('collapsed');
    expect(screen.queryByRole('separator')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Show page' }));
    expect(html().dataset.callSide).toBe('shown');
    expect(screen.getByRole('separator')).toBeTruthy();
  });

  it('folds into the bar when minimised, still saying that the peer is muted', async () => {
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot({ remoteMedia: { audio: false, video: false } })));
    await user.click(screen.getByRole('button', { name: 'Minimize the call' }));
    const view = screen.getByTestId('call-view');
    expect(view.dataset.layout).toBe('bar');
    expect(html().dataset.callLayout).toBe('bar');
    expect(within(view).getByTestId('remote-muted').textContent).toContain('Bob is muted');
    expect(screen.getByTestId('remote-tile').dataset.speaking).toBe('false');
    await user.click(screen.getByRole('button', { name: 'Expand the call' }));
    expect(view.dataset.layout).toBe('stage');
  });

  it('moves your own tile to the next corner on a click (or Enter)', async () => {
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot()));
    const tile = screen.getByRole('button', { name: /move your picture/i });
    expect(tile.dataset.corner).toBe('bottom-right');
    await user.click(tile);
    expect(tile.dataset.corner).toBe('bottom-left');
    tile.focus();
    await user.keyboard('{Enter}');
    expect(tile.dataset.corner).toBe('top-left');
  });

  it('offers full screen where the browser allows it', async () => {
    Object.defineProperty(document, 'fullscreenEnabled', { configurable: true, value: true });
    const request = vi.fn(() => Promise.resolve());
    const original = Element.prototype.requestFullscreen;
    Element.prototype.requestFullscreen = request;
    onTestFinished(() => {
      Element.prototype.requestFullscreen = original;
    });
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot()));
    await user.click(screen.getByRole('button', { name: 'Full screen' }));
    expect(request.mock.contexts).toEqual([screen.getByTestId('call-view')]);
  });
});

describe('the call on a phone (full screen)', () => {
  beforeEach(() => setViewportWidth(390));

  it('fills the screen, makes the page inert, and goes to the page with the Page button', async () => {
    const user = userEvent.setup();
    renderCall(new FakeSession(callSnapshot()));
    const view = screen.getByTestId('call-view');
    expect(view.dataset.layout).toBe('full');
    expect(document.querySelector('.app-shell')!.hasAttribute('inert')).toBe(true);
    expect(screen.queryByRole('separator')).toBeNull();

    await user.click(screen.getByTestId('call-show-page'));
    expect(view.dataset.layout).toBe('bar');
    expect(document.querySelector('.app-shell')!.hasAttribute('inert')).toBe(false);
    // The Page button went with the layout: focus went to the page, not to <body>.
    expect(document.activeElement).toBe(screen.getByTestId('composer-input'));

    await user.click(screen.getByTestId('call-bar-return'));
    expect(view.dataset.layout).toBe('full');
    expect(view.contains(document.activeElement)).toBe(true);
  });
});

describe('focus', () => {
  beforeEach(() => setViewportWidth(1366));

  it('goes to the call heading when the call opens, to Close when it ends, and back after', async () => {
    const user = userEvent.setup();
    const manager = new FakeManager();
    render(
      <CallManagerContext.Provider value={manager.asManager()}>
        <main>
          <button type="button">Call Bob</button>
          <textarea data-testid="composer-input" aria-label="Message" />
        </main>
        <CallLayer />
      </CallManagerContext.Provider>,
    );
    const callButton = screen.getByRole('button', { name: 'Call Bob' });
    callButton.focus();
    const session = new FakeSession(callSnapshot({ phase: 'ringing-out', startedAt: null }));
    act(() => manager.publish(session));
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Bob' }));

    act(() => session.update({ phase: 'connected', startedAt: Date.now() }));
    await user.click(screen.getByTestId('call-hangup'));
    expect(session.calls).toContain('hangUp');
    expect(document.activeElement).toBe(screen.getByTestId('call-close'));

    act(() => manager.publish(null));
    expect(screen.queryByTestId('call-view')).toBeNull();
    expect(document.activeElement).toBe(callButton);
  });

  it('falls back to the composer when the element that had focus is gone', () => {
    const manager = new FakeManager();
    const { rerender } = render(
      <CallManagerContext.Provider value={manager.asManager()}>
        <main>
          <button type="button">Call Bob</button>
          <textarea data-testid="composer-input" aria-label="Message" />
        </main>
        <CallLayer />
      </CallManagerContext.Provider>,
    );
    screen.getByRole('button', { name: 'Call Bob' }).focus();
    act(() => manager.publish(new FakeSession(callSnapshot())));
    rerender(
      <CallManagerContext.Provider value={manager.asManager()}>
        <main>
          <textarea data-testid="composer-input" aria-label="Message" />
        </main>
        <CallLayer />
      </CallManagerContext.Provider>,
    );
    act(() => manager.publish(null));
    expect(document.activeElement).toBe(screen.getByTestId('composer-input'));
  });
});
