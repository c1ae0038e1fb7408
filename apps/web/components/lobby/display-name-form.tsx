'use client';

import { useState, type FormEvent } from 'react';
import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import { checkDisplayName } from '@/lib/display-name';
import styles from './lobby.module.css';

/**
 * Edits the display name. Saving remembers it in this browser and reconnects with it: the
 * name of the latest `hello` is the user's name. The identity stays, so you stay the same
 * user (same userId) under the new name.
 */
export function DisplayNameForm({
  current,
  onSave,
}: {
  /** The name in use; null until the browser has read it. */
  current: string | null;
  onSave: (name: string) => void;
}) {
  const [value, setValue] = useState(current ?? '');
  const [showError, setShowError] = useState(false);
  const [saved, setSaved] = useState(false);

  const check = checkDisplayName(value);
  const unchanged = check.ok && check.name === current;
  const error = !check.ok && (showError || value !== '') ? check.message : null;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!check.ok) {
      setShowError(true);
      return;
    }
    setValue(check.name);
    if (check.name !== current) onSave(check.name);
    setSaved(true);
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <label className="field-label" htmlFor="display-name">
        Display name
      </label>
      <div className={styles.inlineControls}>
        <input
          id="display-name"
          className="input"
          data-testid="name-input"
          type="text"
          autoComplete="nickname"
          spellCheck={false}
          placeholder={current === null ? 'Loading…' : 'Your name'}
          disabled={current === null}
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby="display-name-help"
          onChange={(event) => {
            setValue(event.target.value);
            setSaved(false);
          }}
        />
        <button
          type="submit"
          className="button button-primary"
          data-testid="name-save"
          disabled={current === null || unchanged}
        >
          Save
        </button>
      </div>
      <p
        id="display-name-help"
        className={error ? styles.error : 'hint'}
        role={error ? 'alert' : undefined}
      >
        {error ??
          (saved && unchanged
            ? `Saved. Reconnecting as “${current}”: the badge at the top shows when you are in.`
            : `What others see next to your messages: 1 to ${PROTOCOL_BOUNDS.nameMaxChars} characters. Kept in this browser.`)}
      </p>
    </form>
  );
}
