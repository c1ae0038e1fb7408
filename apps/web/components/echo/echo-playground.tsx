'use client';

import { useApiConfig } from '@/components/config-provider';
import { useEchoSocket } from '@/hooks/use-echo-socket';
import { ReadyState } from '@/lib/ready-state';
import { EchoLog } from './echo-log';
import { EndpointForm } from './endpoint-form';
import { ReadyStateIndicator } from './ready-state-indicator';
import { SendBinaryForm } from './send-binary-form';
import { SendTextForm } from './send-text-form';
import { SocketStats } from './socket-stats';
import styles from './echo.module.css';

export function EchoPlayground() {
  const { echoUrl } = useApiConfig();
  const socket = useEchoSocket();
  const open = socket.readyState === ReadyState.OPEN;

  return (
    <div className={styles.playground}>
      <div className={styles.controls}>
        <section className="card" aria-labelledby="echo-connection-title">
          <div className={styles.cardHeader}>
            <h2 id="echo-connection-title" className="card-title">
              Connection
            </h2>
            <ReadyStateIndicator value={socket.readyState} />
          </div>
          <EndpointForm
            defaultUrl={echoUrl}
            readyState={socket.readyState}
            onConnect={socket.connect}
            onDisconnect={socket.disconnect}
          />
          <SocketStats bufferedAmount={socket.bufferedAmount} counts={socket.counts} />
        </section>

        <section className="card" aria-labelledby="echo-send-title">
          <h2 id="echo-send-title" className="card-title">
            Send
          </h2>
          <SendTextForm canSend={open} onSend={socket.sendText} />
          <SendBinaryForm canSend={open} onSend={socket.sendBinary} />
          {!open ? <p className="hint">Sending is enabled while the socket is OPEN.</p> : null}
        </section>
      </div>

      <EchoLog entries={socket.log} onClear={socket.clearLog} />
    </div>
  );
}
