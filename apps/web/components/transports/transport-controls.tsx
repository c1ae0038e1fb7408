'use client';

import {
  LONG_POLL_WAIT_CHOICES,
  POLL_INTERVAL_CHOICES,
  RATE_CHOICES,
  SIZE_CHOICES,
} from '@/lib/transports/settings';
import type { RunSettings } from '@/lib/transports/transport-run';
import styles from './transports.module.css';

type NumberSetting = keyof RunSettings;

const FIELDS: readonly {
  key: NumberSetting;
  label: string;
  choices: readonly number[];
  unit: string;
}[] = [
  { key: 'rate', label: 'Event rate', choices: RATE_CHOICES, unit: 'events/s' },
  { key: 'size', label: 'Payload size', choices: SIZE_CHOICES, unit: 'bytes' },
  {
    key: 'pollIntervalMs',
    label: 'Short-poll interval',
    choices: POLL_INTERVAL_CHOICES,
    unit: 'ms',
  },
  { key: 'longPollWaitMs', label: 'Long-poll wait', choices: LONG_POLL_WAIT_CHOICES, unit: 'ms' },
];

/** The stream and the pollers' timing, and Start/Stop (one button, so focus stays on it). */
export function TransportControls({
  settings,
  active,
  disabled,
  onChange,
  onStart,
  onStop,
}: {
  settings: RunSettings;
  active: boolean;
  /** No api URL yet. */
  disabled: boolean;
  onChange: (settings: RunSettings) => void;
  onStart: () => void;
  onStop: () => void;
}) {
  return (
    <section className={`card ${styles.controls}`} aria-labelledby="transports-controls-title">
      <h2 id="transports-controls-title" className="card-title">
        Stream and timing
      </h2>
      <div className={styles.fields}>
        {FIELDS.map((field) => (
          <div key={field.key}>
            <label className="field-label" htmlFor={`transports-${field.key}`}>
              {field.label}
            </label>
            <select
              id={`transports-${field.key}`}
              className="input"
              data-testid={`transports-${field.key}`}
              value={settings[field.key]}
              onChange={(event) =>
                onChange({ ...settings, [field.key]: Number(event.target.value) })
              }
            >
              {field.choices.map((choice) => (
                <option key={choice} value={choice}>
                  {choice} {field.unit}
                </option>
              ))}
            </select>
          </div>
        ))}
      </div>
      <div className={styles.controlRow}>
        <button
          type="button"
          className={`button ${active ? '' : 'button-primary'}`}
          data-testid="transports-toggle"
          disabled={disabled}
          onClick={active ? onStop : onStart}
        >
          {active ? 'Stop' : 'Start'}
        </button>
        <p className="hint">Changing a setting starts all four again, on the new stream.</p>
      </div>
    </section>
  );
}
