'use client';

import {
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type FormEvent,
  type KeyboardEvent,
} from 'react';
import { checkComposerText } from '@/lib/chat-text';
import styles from './chat.module.css';

/** Show the character count once the text passes this share of the limit. */
const COUNTER_FROM = 0.8;
const MAX_ROWS_PX = 180;

/**
 * The message box, focused on entering the room where there is a mouse. Enter sends,
 * Shift+Enter starts a new line. Sending works offline too: the
 * client queues the message and the list shows it as pending until the server has it.
 */
export function Composer({
  room,
  maxChars,
  onSend,
  onTyping,
}: {
  room: string;
  maxChars: number;
  /** Returns an error to show, or null when the message went into the outbox. */
  onSend: (text: string) => string | null;
  onTyping: (typing: boolean) => void;
}) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const check = checkComposerText(text, maxChars);
  const showCounter = check.length >= maxChars * COUNTER_FROM;

  // Grow with the text up to a few lines, then scroll inside.
  useLayoutEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight + 2, MAX_ROWS_PX)}px`;
  }, [text]);

  // Entering the room puts the cursor here, where a precise pointer (a mouse) says there is a
  // real keyboard: on a touch screen it would open the on-screen keyboard over the room.
  useEffect(() => {
    if (window.matchMedia?.('(pointer: fine)').matches) inputRef.current?.focus();
  }, []);

  // Leaving the page (or the room) ends "typing" for the others.
  useEffect(() => () => onTyping(false), [onTyping]);

  function send() {
    if (!check.sendable) return;
    const failure = onSend(text);
    setError(failure);
    if (failure) return;
    setText('');
    onTyping(false);
    inputRef.current?.focus();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    send();
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter while an input method is composing (e.g. Japanese) confirms the text, not sends it.
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    send();
  }

  return (
    <form className={styles.composer} onSubmit={submit}>
      <label htmlFor="composer" className="visually-hidden">
        Message #{room}
      </label>
      <textarea
        id="composer"
        ref={inputRef}
        className={`input ${styles.composerInput}`}
        data-testid="composer-input"
        rows={1}
        placeholder={`Message #${room}`}
        value={text}
        aria-invalid={check.sendable || check.reason === 'empty' ? undefined : true}
        aria-describedby="composer-help"
        onChange={(event) => {
          const next = event.target.value;
          setText(next);
          setError(null);
          onTyping(next.trim() !== '');
        }}
        onKeyDown={onKeyDown}
        onBlur={() => onTyping(false)}
      />
      <button
        type="submit"
        className="button button-primary"
        data-testid="composer-send"
        disabled={!check.sendable}
      >
        Send
      </button>
      <p id="composer-help" className={styles.composerHelp}>
        {error ? (
          <span className={styles.errorText} role="alert">
            {error}
          </span>
        ) : !check.sendable && check.reason === 'too-long' ? (
          <span className={styles.errorText}>
            {check.length - maxChars} characters over the {maxChars}-character limit.
          </span>
        ) : (
          <span className={styles.keys}>
            <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
          </span>
        )}
        {showCounter ? (
          <span className={styles.counter} data-over={check.length > maxChars ? 'true' : undefined}>
            {check.length} / {maxChars}
          </span>
        ) : null}
      </p>
    </form>
  );
}
