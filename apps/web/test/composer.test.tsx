// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '@/components/chat/composer';

function pointer(fine: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: query === '(pointer: fine)' ? fine : false,
    media: query,
    addEventListener() {},
    removeEventListener() {},
  }));
}

function renderComposer(onSend = vi.fn((): string | null => null)) {
  render(<Composer room="general" maxChars={100} onSend={onSend} onTyping={() => {}} />);
  return { input: screen.getByTestId('composer-input'), onSend };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Composer', () => {
  it('has the cursor on entering the room where there is a mouse', () => {
    pointer(true);
    const { input } = renderComposer();
    expect(document.activeElement).toBe(input);
  });

  it('leaves the focus alone on a touch screen (no keyboard popping up by itself)', () => {
    pointer(false);
    const { input } = renderComposer();
    expect(document.activeElement).not.toBe(input);
  });

  it('keeps the cursor in the box after sending with Enter', async () => {
    pointer(true);
    const { input, onSend } = renderComposer();
    await userEvent.type(input, 'hello{Enter}');
    expect(onSend).toHaveBeenCalledWith('hello');
    expect((input as HTMLTextAreaElement).value).toBe('');
    expect(document.activeElement).toBe(input);
  });
});
