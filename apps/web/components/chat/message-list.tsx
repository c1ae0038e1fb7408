'use client';

import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { RoomSnapshot } from '@duplex/client';
import { MessageKind, isTextMessage, type ChatMessage } from '@duplex/protocol';
import { CallRecordItem } from './call-record-item';
import { MessageItem } from './message-item';
import { NEW_TAB_NOTE_ID } from './message-text';
import { PendingMessageItem } from './pending-message-item';
import styles from './chat.module.css';

/** Within this many pixels of the bottom counts as "at the bottom": new messages follow. */
const STICK_THRESHOLD_PX = 48;
/** Start fetching older history a little before the top is actually reached. */
const PRELOAD_MARGIN_PX = 160;

/** Messages from one sender closer together than this are shown as one group. */
const GROUP_WINDOW_MS = 5 * 60_000;

/** A text message right after one of the same sender's: a call's row in between breaks it. */
function continuesPrevious(previous: ChatMessage | undefined, message: ChatMessage): boolean {
  if (!previous || !isTextMessage(previous) || !isTextMessage(message)) return false;
  if (previous.from.userId !== message.from.userId) return false;
  if (previous.from.name !== message.from.name || previous.seq !== message.seq - 1) return false;
  return Date.parse(message.ts) - Date.parse(previous.ts) < GROUP_WINDOW_MS;
}

/** Where `element` is, in pixels from the top of the scrolled list's visible area. */
function offsetIn(list: HTMLElement, element: HTMLElement): number {
  return element.getBoundingClientRect().top - list.getBoundingClientRect().top;
}

interface Props {
  room: string;
  messages: RoomSnapshot['messages'];
  pending: RoomSnapshot['pending'];
  hasOlder: boolean;
  /** The first join was acknowledged: history is in, older pages may be asked for. */
  ready: boolean;
  ownUserId: string | null;
  /** Short tags of senders who share a name with someone else in the room, by userId. */
  tags: ReadonlyMap<string, string>;
  ownName: string;
  /** Shown at the top while the room is not joined yet (joining, or why it cannot be yet). */
  notJoined: ReactNode;
  onLoadOlder: () => Promise<unknown>;
  onRetry: (clientId: string) => void;
  onDiscard: (clientId: string) => void;
}

export function MessageList({
  room,
  messages,
  pending,
  hasOlder,
  ready,
  ownUserId,
  tags,
  ownName,
  notJoined,
  onLoadOlder,
  onRetry,
  onDiscard,
}: Props) {
  const listRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLLIElement>(null);
  const atBottom = useRef(true);
  const previous = useRef({ firstSeq: 0, lastSeq: 0, pending: 0, scrollHeight: 0 });
  /** The first message when older history was asked for, and its distance from the list's top. */
  const olderAnchor = useRef<{ seq: number; offset: number } | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<string | null>(null);
  const [unseen, setUnseen] = useState(false);

  const firstSeq = messages[0]?.seq ?? 0;
  const lastSeq = messages.at(-1)?.seq ?? 0;

  // Runs after React changed the DOM and before the browser paints: the place to fix scrolling.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (!list) return;
    const before = previous.current;
    const prepended =
      before.firstSeq !== 0 && firstSeq < before.firstSeq && lastSeq === before.lastSeq;
    const appended = lastSeq > before.lastSeq;
    const sentMore = pending.length > before.pending;

    if (prepended) {
      // Older history went in above: keep what the reader was looking at where it was.
      // Measured on the message that was first: the height added above is not enough, as
      // that message may now continue a group and have lost its name line.
      const anchor = olderAnchor.current;
      const element = anchor && list.querySelector<HTMLElement>(`[data-seq="${anchor.seq}"]`);
      if (anchor && element) list.scrollTop += offsetIn(list, element) - anchor.offset;
      else list.scrollTop += list.scrollHeight - before.scrollHeight;
    } else if (sentMore || atBottom.current) {
      // Your own send always shows; others' messages only if you were following along.
      list.scrollTop = list.scrollHeight;
      atBottom.current = true;
      setUnseen(false);
    } else if (appended) {
      setUnseen(true);
    }
    previous.current = {
      firstSeq,
      lastSeq,
      pending: pending.length,
      scrollHeight: list.scrollHeight,
    };
  }, [firstSeq, lastSeq, messages, pending]);

  // The list's own height changes too (an on-screen keyboard, a resized window, the banner
  // coming and going): whoever was following the newest message keeps seeing it.
  useEffect(() => {
    const list = listRef.current;
    if (!list || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) list.scrollTop = list.scrollHeight;
    });
    observer.observe(list);
    return () => observer.disconnect();
  }, []);

  // Loads the previous page whenever the sentinel at the top is in view. The observer is made
  // again after every page (firstSeq changes), so a list still too short to scroll keeps loading.
  useEffect(() => {
    const list = listRef.current;
    const sentinel = sentinelRef.current;
    if (!ready || !hasOlder || loadingOlder || olderError || !list || !sentinel) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        observer.disconnect();
        const first = list.querySelector<HTMLElement>('[data-seq]');
        olderAnchor.current = first
          ? { seq: Number(first.dataset.seq), offset: offsetIn(list, first) }
          : null;
        setLoadingOlder(true);
        onLoadOlder().then(
          () => setLoadingOlder(false),
          (error: unknown) => {
            setLoadingOlder(false);
            setOlderError(error instanceof Error ? error.message : String(error));
          },
        );
      },
      { root: list, rootMargin: `${PRELOAD_MARGIN_PX}px 0px 0px 0px` },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [ready, hasOlder, loadingOlder, olderError, firstSeq, onLoadOlder]);

  function trackBottom() {
    const list = listRef.current;
    if (!list) return;
    atBottom.current = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_THRESHOLD_PX;
    if (atBottom.current) setUnseen(false);
  }

  function jumpToLatest() {
    const list = listRef.current;
    if (!list) return;
    // Instant: a smooth scroll's intermediate positions would read as "scrolled up" meanwhile.
    list.scrollTop = list.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  }

  const empty = ready && messages.length === 0 && pending.length === 0;

  return (
    <div className={styles.listViewport}>
      {/* Focusable so that a keyboard can scroll it; a log: new messages are announced. */}
      <div
        ref={listRef}
        className={styles.messageList}
        data-testid="message-list"
        role="log"
        tabIndex={0}
        aria-label={`Messages in #${room}`}
        aria-relevant="additions"
        onScroll={trackBottom}
      >
        <ol className={styles.messageItems}>
          <li ref={sentinelRef} className={styles.historyEdge} aria-live="off">
            {!ready ? (
              notJoined
            ) : olderError ? (
              <>
                Could not load older messages: {olderError}.{' '}
                <button
                  type="button"
                  className={styles.inlineButton}
                  onClick={() => setOlderError(null)}
                >
                  Try again
                </button>
              </>
            ) : hasOlder ? (
              loadingOlder ? (
                'Loading older messages…'
              ) : (
                'Scroll up for older messages'
              )
            ) : empty ? (
              <>
                No messages in <strong>#{room}</strong> yet. Say hello!
              </>
            ) : (
              <>
                The beginning of <strong>#{room}</strong>.
              </>
            )}
          </li>
          {messages.map((message, index) =>
            isTextMessage(message) ? (
              <MessageItem
                key={message.seq}
                message={message}
                own={message.from.userId === ownUserId}
                tag={tags.get(message.from.userId) ?? null}
                continued={continuesPrevious(messages[index - 1], message)}
              />
            ) : message.kind === MessageKind.Call ? (
              <CallRecordItem key={message.seq} message={message} ownUserId={ownUserId} />
            ) : null,
          )}
          {pending.map((entry) => (
            <PendingMessageItem
              key={entry.clientId}
              pending={entry}
              name={ownName}
              userId={ownUserId}
              onRetry={onRetry}
              onDiscard={onDiscard}
            />
          ))}
        </ol>
      </div>
      <span id={NEW_TAB_NOTE_ID} hidden>
        Opens in a new tab
      </span>
      {unseen ? (
        <button
          type="button"
          className={`button button-small ${styles.jump}`}
          onClick={jumpToLatest}
        >
          New messages ↓
        </button>
      ) : null}
    </div>
  );
}
