'use client';

import { useApiConfig } from '@/components/config-provider';
import { useTransportLab } from '@/hooks/use-transport-lab';
import { ServerPanel } from './server-panel';
import { TransportColumn } from './transport-column';
import { TransportConclusion } from './transport-conclusion';
import { TransportControls } from './transport-controls';
import styles from './transports.module.css';

/** The four ticker clients side by side, with their controls, the server's numbers and the conclusion. */
export function TransportLab() {
  const { apiUrl } = useApiConfig();
  const lab = useTransportLab(apiUrl);
  const { settings } = lab;
  return (
    <div className={styles.lab}>
      <TransportControls
        settings={settings}
        active={lab.active}
        disabled={!apiUrl}
        onChange={lab.change}
        onStart={lab.start}
        onStop={lab.stop}
      />
      {/* Says what is running when that changes; the numbers themselves are not announced. */}
      <p role="status" className="hint" data-testid="transports-status">
        {lab.active
          ? `Running: ${settings.rate} events/s, ${settings.size}-byte payloads, short polls every ${settings.pollIntervalMs} ms, long polls held up to ${settings.longPollWaitMs} ms.`
          : 'Stopped. Each client finishes the request it has in flight; then its numbers stay as they are.'}
      </p>
      {lab.view ? (
        <>
          <div className={styles.columns} data-testid="transports-columns">
            {lab.view.clients.map((client) => (
              <TransportColumn key={client.transport} client={client} />
            ))}
          </div>
          <div className={styles.bottom}>
            <TransportConclusion view={lab.view} />
            <ServerPanel view={lab.view} />
          </div>
        </>
      ) : null}
    </div>
  );
}
