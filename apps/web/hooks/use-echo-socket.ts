import { useCallback, useEffect, useRef, useState } from 'react';
import { randomBytes, toHex, toHexPreview, utf8ByteLength } from '@/lib/bytes';
import { describeCloseCode } from '@/lib/close-codes';
import { ReadyState } from '@/lib/ready-state';

export type EchoDirection = 'in' | 'out' | 'event';
export type EchoKind = 'text' | 'binary' | 'open' | 'close' | 'error';

export interface EchoLogEntry {
  id: number;
  /** Date.now() when the frame was sent, received or the event fired. */
  at: number;
  direction: EchoDirection;
  kind: EchoKind;
  /** Payload size in bytes (UTF-8 for text); 0 for events. */
  size: number;
  /** Text frames: the text itself. */
  text?: string;
  /** Binary frames: every byte as lowercase hex, and the readable first-32-bytes preview. */
  hex?: string;
  hexPreview?: string;
  /** Events: a one-line description (close code and reason, error note, URL). */
  detail?: string;
  closeCode?: number;
}

export interface FrameCounts {
  sent: number;
  received: number;
}

/** Older rows are dropped past this, so a long session cannot grow the page without bound. */
const MAX_LOG_ENTRIES = 1000;
const BUFFER_POLL_MS = 100;

const NO_FRAMES: FrameCounts = { sent: 0, received: 0 };

/** Detach first so a socket we are done with cannot write into the log or the state. */
function abandon(socket: WebSocket | null, reason: string) {
  if (!socket) return;
  socket.onopen = socket.onmessage = socket.onerror = socket.onclose = null;
  if (socket.readyState === ReadyState.CONNECTING || socket.readyState === ReadyState.OPEN) {
    socket.close(1000, reason);
  }
}

// Hex is computed once per frame, not on every render of the log.
function describeBinary(bytes: Uint8Array) {
  return { size: bytes.byteLength, hex: toHex(bytes), hexPreview: toHexPreview(bytes) };
}

function describeClose(event: CloseEvent): string {
  const meaning = describeCloseCode(event.code);
  const code = meaning ? `code ${event.code} (${meaning})` : `code ${event.code}`;
  const reason = event.reason ? `reason "${event.reason}"` : 'no reason';
  return `${code} · ${reason} · ${event.wasClean ? 'clean' : 'not clean'}`;
}

/**
 * The raw browser WebSocket API, wrapped only as far as React needs: state for readyState,
 * bufferedAmount and a log of every frame and event. Everything else is the platform's.
 */
export function useEchoSocket() {
  const socketRef = useRef<WebSocket | null>(null);
  const nextId = useRef(1);
  const [readyState, setReadyState] = useState<number>(ReadyState.CLOSED);
  const [bufferedAmount, setBufferedAmount] = useState(0);
  const [log, setLog] = useState<EchoLogEntry[]>([]);
  const [counts, setCounts] = useState<FrameCounts>(NO_FRAMES);

  const append = useCallback((entry: Omit<EchoLogEntry, 'id' | 'at'>) => {
    const row: EchoLogEntry = { ...entry, id: nextId.current++, at: Date.now() };
    setLog((rows) => {
      const next = [...rows, row];
      return next.length > MAX_LOG_ENTRIES ? next.slice(-MAX_LOG_ENTRIES) : next;
    });
  }, []);

  const syncFrom = useCallback((socket: WebSocket) => {
    setReadyState(socket.readyState);
    setBufferedAmount(socket.bufferedAmount);
  }, []);

  const connect = useCallback(
    (url: string) => {
      abandon(socketRef.current, 'reconnecting');
      socketRef.current = null;
      setCounts(NO_FRAMES);

      let socket: WebSocket;
      try {
        socket = new WebSocket(url);
      } catch (error) {
        // A malformed URL throws synchronously (SyntaxError) instead of firing `error`.
        setReadyState(ReadyState.CLOSED);
        setBufferedAmount(0);
        append({
          direction: 'event',
          kind: 'error',
          size: 0,
          detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        return;
      }
      socket.binaryType = 'arraybuffer';
      socketRef.current = socket;
      syncFrom(socket);

      socket.onopen = () => {
        syncFrom(socket);
        append({ direction: 'event', kind: 'open', size: 0, detail: `connected to ${socket.url}` });
      };
      socket.onmessage = (event: MessageEvent<string | ArrayBuffer>) => {
        setCounts((c) => ({ ...c, received: c.received + 1 }));
        if (typeof event.data === 'string') {
          append({
            direction: 'in',
            kind: 'text',
            size: utf8ByteLength(event.data),
            text: event.data,
          });
        } else {
          const bytes = new Uint8Array(event.data);
          append({ direction: 'in', kind: 'binary', ...describeBinary(bytes) });
        }
      };
      socket.onerror = () => {
        syncFrom(socket);
        append({
          direction: 'event',
          kind: 'error',
          size: 0,
          // Browsers deliberately hide why a WebSocket failed; the close event carries the code.
          detail: 'error event (the browser does not say why; see the close code)',
        });
      };
      socket.onclose = (event) => {
        syncFrom(socket);
        append({
          direction: 'event',
          kind: 'close',
          size: 0,
          detail: describeClose(event),
          closeCode: event.code,
        });
      };
    },
    [append, syncFrom],
  );

  const disconnect = useCallback(() => {
    const socket = socketRef.current;
    if (!socket) return;
    if (socket.readyState === ReadyState.CONNECTING || socket.readyState === ReadyState.OPEN) {
      socket.close(1000, 'closed from the playground');
    }
    syncFrom(socket);
  }, [syncFrom]);

  const sendText = useCallback(
    (text: string) => {
      const socket = socketRef.current;
      if (!socket || socket.readyState !== ReadyState.OPEN) return false;
      socket.send(text);
      setCounts((c) => ({ ...c, sent: c.sent + 1 }));
      append({ direction: 'out', kind: 'text', size: utf8ByteLength(text), text });
      syncFrom(socket);
      return true;
    },
    [append, syncFrom],
  );

  const sendBinary = useCallback(
    (size: number) => {
      const socket = socketRef.current;
      if (!socket || socket.readyState !== ReadyState.OPEN) return false;
      const bytes = randomBytes(size);
      socket.send(bytes);
      setCounts((c) => ({ ...c, sent: c.sent + 1 }));
      append({ direction: 'out', kind: 'binary', ...describeBinary(bytes) });
      syncFrom(socket);
      return true;
    },
    [append, syncFrom],
  );

  const clearLog = useCallback(() => setLog([]), []);

  // bufferedAmount has no change event, so sample it while the socket can still hold data.
  const live = readyState !== ReadyState.CLOSED;
  useEffect(() => {
    if (!live) return;
    const timer = window.setInterval(() => {
      const socket = socketRef.current;
      if (socket) syncFrom(socket);
    }, BUFFER_POLL_MS);
    return () => window.clearInterval(timer);
  }, [live, syncFrom]);

  useEffect(
    () => () => {
      abandon(socketRef.current, 'page closed');
      socketRef.current = null;
    },
    [],
  );

  return {
    readyState,
    bufferedAmount,
    log,
    counts,
    connect,
    disconnect,
    sendText,
    sendBinary,
    clearLog,
  };
}
