'use client';

import { memo, useLayoutEffect, useRef } from 'react';
import type { EchoLogEntry } from '@/hooks/use-echo-socket';
import { EchoLogRow } from './echo-log-row';
import styles from './echo.module.css';

/** Within this many pixels of the bottom counts as "following" the log. */
const STICK_THRESHOLD_PX = 48;

export const EchoLog = memo(function EchoLog({
  entries,
  onClear,
}: {
  entries: EchoLogEntry[];
  onClear: () => void;
}) {
  const listRef = useRef<HTMLOListElement>(null);
  const followRef = useRef(true);

  // Keep the newest row in view unless the reader has scrolled up to look at older ones.
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list && followRef.current) list.scrollTop = list.scrollHeight;
  }, [entries]);

  function trackFollow() {
    const list = listRef.current;
    if (!list) return;
    followRef.current = list.scrollHeight - list.scrollTop - list.clientHeight < STICK_THRESHOLD_PX;
  }

  return (
    <section className={`card ${styles.logCard}`} aria-labelledby="echo-log-title">
      <header className={styles.logHeader}>
        <h2 id="echo-log-title" className="card-title">
          Event log
        </h2>
        <button
          type="button"
          className="button button-quiet button-small"
          data-testid="echo-clear"
          onClick={onClear}
          disabled={entries.length === 0}
        >
          Clear
        </button>
      </header>
      <div className={styles.logViewport}>
        <ol
          ref={listRef}
          className={styles.log}
          data-testid="echo-log"
          aria-label="Event log"
          aria-live="polite"
          aria-relevant="additions"
          // Scrollable: reachable by keyboard so the arrow keys can scroll it.
          tabIndex={0}
          onScroll={trackFollow}
        >
          {entries.map((entry) => (
            <EchoLogRow key={entry.id} entry={entry} />
          ))}
        </ol>
        {entries.length === 0 ? (
          <p className={styles.logEmpty}>
            Nothing yet. Connect, then send a frame: each one is echoed back unchanged.
          </p>
        ) : null}
      </div>
    </section>
  );
});
