// @vitest-environment jsdom
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import type { TextMessage } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageList } from '@/components/chat/message-list';
import { avatarColour } from '@/lib/avatar-colour';
import { ann, bob } from './support/fake-duplex-client';

function message(seq: number, text: string, from = bob): TextMessage {
  return {
    kind: 'text',
    room: 'general',
    seq,
    clientId: `c-${seq}`,
    from,
    text,
    ts: new Date(Date.UTC(2025, 2, 1, 10, 0, seq)).toISOString(),
  } as TextMessage;
}

const noop = () => {};
const NO_TAGS = new Map<string, string>();

function renderList(messages: TextMessage[]) {
  return render(
    <MessageList
      room="general"
      messages={messages}
      pending={[]}
      hasOlder={false}
      ready
      ownUserId={ann.userId}
      tags={NO_TAGS}
      ownName="Ann"
      notJoined="Joining…"
      onLoadOlder={() => Promise.resolve()}
      onRetry={noop}
      onDiscard={noop}
    />,
  );
}

/** ResizeObserver for jsdom: the test says when an observed element changed size. */
class FakeResizeObserver {
  static instances: FakeResizeObserver[] = [];
  constructor(private readonly callback: ResizeObserverCallback) {
    FakeResizeObserver.instances.push(this);
  }
  observe() {}
  unobserve() {}
  disconnect() {}
  resize() {
    this.callback([], this as unknown as ResizeObserver);
  }
}

/** Gives the list a layout: its content `scrollHeight` tall, `clientHeight` of it shown. */
function layOut(list: HTMLElement, size: { scrollHeight: number; clientHeight: number }) {
  let scrollTop = list.scrollTop;
  Object.defineProperty(list, 'scrollHeight', { configurable: true, get: () => size.scrollHeight });
  Object.defineProperty(list, 'clientHeight', { configurable: true, get: () => size.clientHeight });
  Object.defineProperty(list, 'scrollTop', {
    configurable: true,
    get: () => scrollTop,
    set: (value: number) => {
      scrollTop = Math.max(0, Math.min(value, size.scrollHeight - size.clientHeight));
    },
  });
}

beforeEach(() => {
  FakeResizeObserver.instances = [];
  vi.stubGlobal('ResizeObserver', FakeResizeObserver);
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      observe() {}
      disconnect() {}
    },
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('MessageList', () => {
  it('is a labelled log that the keyboard can reach', () => {
    renderList([message(1, 'hello')]);
    const log = screen.getByRole('log', { name: 'Messages in #general' });
    expect(log.tabIndex).toBe(0);
    expect(log.dataset.testid).toBe('message-list');
    expect(within(log).getAllByTestId('message')).toHaveLength(1);
  });

  it('makes http(s) addresses links that open in a new tab, and leaves the rest as text', () => {
    renderList([
      message(1, 'docs at https://example.org/guide. and javascript:alert(1) or <img src=x>'),
    ]);
    const text = screen.getByTestId('message-text');
    const links = within(text).getAllByRole('link');
    expect(links).toHaveLength(1);
    const link = links[0] as HTMLAnchorElement;
    expect(link.getAttribute('href')).toBe('https://example.org/guide');
    expect(link.textContent).toBe('https://example.org/guide');
    expect(link.target).toBe('_blank');
    expect(link.rel).toBe('noopener noreferrer');
    expect(link.getAttribute('aria-describedby')).toBe('message-link-new-tab');
    expect(document.getElementById('message-link-new-tab')?.textContent).toContain('new tab');
    expect(text.querySelector('img')).toBeNull();
    expect(text.textContent).toBe(
      'docs at https://example.org/guide. and javascript:alert(1) or <img src=x>',
    );
  });

  it('gives each sender an avatar in the colour of their userId', () => {
    renderList([message(1, 'one', bob), message(2, 'two', ann)]);
    const [bobs, anns] = screen.getAllByTestId('avatar');
    expect(bobs!.textContent).toBe('B');
    for (const [avatar, user] of [
      [bobs!, bob],
      [anns!, ann],
    ] as const) {
      const colour = avatarColour(user.userId);
      expect(avatar.style.getPropertyValue('--avatar-light-bg')).toBe(colour.light.background);
      expect(avatar.style.getPropertyValue('--avatar-light-fg')).toBe(colour.light.text);
      expect(avatar.style.getPropertyValue('--avatar-dark-bg')).toBe(colour.dark.background);
      expect(avatar.style.getPropertyValue('--avatar-dark-fg')).toBe(colour.dark.text);
    }
  });

  it('stays on the newest message when its own height changes, unless scrolled up', () => {
    renderList([message(1, 'one'), message(2, 'two')]);
    const list = screen.getByTestId('message-list');
    const size = { scrollHeight: 1000, clientHeight: 600 };
    layOut(list, size);
    list.scrollTop = 400; // at the bottom
    fireEvent.scroll(list);

    // The keyboard opens: the list gets shorter.
    size.clientHeight = 300;
    act(() => FakeResizeObserver.instances.forEach((observer) => observer.resize()));
    expect(list.scrollTop).toBe(700);

    // Scrolled up to read: a resize leaves the reader where they are.
    list.scrollTop = 100;
    fireEvent.scroll(list);
    size.clientHeight = 600;
    act(() => FakeResizeObserver.instances.forEach((observer) => observer.resize()));
    expect(list.scrollTop).toBe(100);
  });
});
