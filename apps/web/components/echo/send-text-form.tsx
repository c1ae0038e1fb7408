'use client';

import { useState, type FormEvent } from 'react';
import styles from './echo.module.css';

export function SendTextForm({
  canSend,
  onSend,
}: {
  canSend: boolean;
  onSend: (text: string) => boolean;
}) {
  const [text, setText] = useState('');

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (canSend && onSend(text)) setText('');
  }

  return (
    <form className={styles.sendForm} onSubmit={submit}>
      <label className="field-label" htmlFor="echo-text">
        Text frame
      </label>
      <div className={styles.inlineControls}>
        <input
          id="echo-text"
          className="input"
          data-testid="echo-text-input"
          type="text"
          autoComplete="off"
          placeholder="Hello, echo"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <button
          type="submit"
          className="button button-primary"
          data-testid="echo-send-text"
          disabled={!canSend}
        >
          Send text
        </button>
      </div>
    </form>
  );
}
