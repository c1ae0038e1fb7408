'use client';

import { useState, type FormEvent } from 'react';
import { DEFAULT_LIMITS } from '@duplex/protocol';
import { formatBytes } from '@/lib/bytes';
import styles from './echo.module.css';

const DEFAULT_SIZE = 16;
const MAX_SIZE = 1024 * 1024;

export function SendBinaryForm({
  canSend,
  onSend,
}: {
  canSend: boolean;
  onSend: (size: number) => boolean;
}) {
  const [sizeText, setSizeText] = useState(String(DEFAULT_SIZE));
  const size = Number(sizeText);
  const validSize =
    sizeText.trim() !== '' && Number.isInteger(size) && size >= 0 && size <= MAX_SIZE;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (canSend && validSize) onSend(size);
  }

  return (
    <form className={styles.sendForm} onSubmit={submit}>
      <label className="field-label" htmlFor="echo-binary-size">
        Binary frame of random bytes
      </label>
      <div className={styles.inlineControls}>
        <div className={styles.sizeField}>
          <input
            id="echo-binary-size"
            className="input mono"
            data-testid="echo-binary-size"
            type="number"
            inputMode="numeric"
            min={0}
            max={MAX_SIZE}
            step={1}
            value={sizeText}
            aria-invalid={!validSize}
            aria-describedby="echo-binary-hint"
            onChange={(event) => setSizeText(event.target.value)}
          />
          <span className={styles.sizeUnit} aria-hidden="true">
            bytes
          </span>
        </div>
        <button
          type="submit"
          className="button button-primary"
          data-testid="echo-send-binary"
          disabled={!canSend || !validSize}
        >
          Send binary
        </button>
      </div>
      <p id="echo-binary-hint" className="hint">
        {validSize
          ? `Up to ${formatBytes(MAX_SIZE)}. The api closes with 1009 above its frame limit (${formatBytes(DEFAULT_LIMITS.maxFrameBytes)} by default).`
          : `Enter a whole number of bytes from 0 to ${MAX_SIZE}.`}
      </p>
    </form>
  );
}
