'use client';

import { useEffect, useRef } from 'react';
import { useNow, type ConnectionStatus } from '@/hooks/use-connection-status';
import { describeNextRetry } from '@/lib/connection-status';
import styles from './chat.module.css';

/**
 * The connection, whenever it is not ready, at the top of the room: why, what happens to
 * messages sent meanwhile, when the next attempt is, and "Retry now". Nothing while connected
 * or while the first attempt is under way. `reconnecting-banner` is the test id of the banner of
 * a connection that was ready (reconnecting, or offline since).
 */
export function ConnectionBanner({ status }: { status: ConnectionStatus }) {
  const { kind } = status;
  if (kind === 'ready' || kind === 'connecting') return null;
  if (kind === 'closed') {
    return (
      <div className={styles.banner} data-tone="danger" data-connection={kind} role="alert">
        <span>Disconnected. The connection closed and will not retry on its own.</span>
        <button
          type="button"
          className="button button-small"
          onClick={() => window.location.reload()}
        >
          Reload
        </button>
      </div>
    );
  }
  const everConnected = kind === 'reconnecting' || status.everConnected;
  return (
    <div
      className={styles.banner}
      data-tone={kind === 'never-connected' ? 'danger' : undefined}
      data-connection={kind}
      data-testid={everConnected ? 'reconnecting-banner' : 'connection-banner'}
      role="status"
    >
      <span className={styles.bannerDot} aria-hidden="true" />
      <span>
        <BannerText status={status} />
      </span>
      {status.canRetry ? <RetryNowButton onRetry={status.retryNow} /> : null}
    </div>
  );
}

function BannerText({ status }: { status: ConnectionStatus }) {
  if (status.kind === 'offline') {
    return (
      <>
        <strong>You’re offline.</strong> It reconnects by itself when the network is back; messages
        you send meanwhile are queued.
      </>
    );
  }
  if (status.kind === 'never-connected') {
    return (
      <>
        <strong>Can’t reach the server.</strong> {status.reason ?? ''}{' '}
        <RetryCountdown nextRetryAt={status.nextRetryAt} />
      </>
    );
  }
  return (
    <>
      <strong>Reconnecting…</strong> Messages you send now are queued and go out, once each, when
      the connection is back. <RetryCountdown nextRetryAt={status.nextRetryAt} />
    </>
  );
}

/** "Retrying in 4 s…", counting down; not announced every second (the banner's news is enough). */
export function RetryCountdown({ nextRetryAt }: { nextRetryAt: number | null }) {
  const now = useNow(nextRetryAt !== null);
  return (
    <span aria-live="off" data-testid="retry-countdown">
      {describeNextRetry(nextRetryAt, now)}
    </span>
  );
}

/**
 * "Retry now". It goes once the connection is back; if it had the focus then, the focus moves
 * to the element with `focusNextId` (the composer) rather than being lost to the page.
 */
export function RetryNowButton({
  onRetry,
  focusNextId = 'composer',
}: {
  onRetry: () => void;
  focusNextId?: string;
}) {
  const focused = useRef(false);
  useEffect(
    () => () => {
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (focused.current && lost) document.getElementById(focusNextId)?.focus();
    },
    [focusNextId],
  );
  return (
    <button
      type="button"
      className={`button button-small ${styles.retryButton}`}
      data-testid="retry-now"
      onClick={onRetry}
      onFocus={() => {
        focused.current = true;
      }}
      onBlur={() => {
        focused.current = false;
      }}
    >
      Retry now
    </button>
  );
}
