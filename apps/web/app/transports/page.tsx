import type { Metadata } from 'next';
import { TransportLab } from '@/components/transports/transport-lab';

export const metadata: Metadata = {
  title: 'Transports',
  description:
    'Short polling, long polling, Server-Sent Events and WebSocket on one stream of events, side by side, measured live.',
};

export default function TransportsPage() {
  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow">Transports</p>
        <h1>Polling, long polling, SSE and WebSocket, side by side</h1>
        <p className="lede" data-testid="transports-intro">
          Four ways for a browser to get events from a server, all running now on the same stream.
          Short polling asks with <code>fetch</code> every interval, whether or not anything
          happened. Long polling asks once and the server holds the request until an event is due.
          Server-Sent Events keep one HTTP response open and the server writes each event into it. A
          WebSocket keeps one connection open both ways and each event is one small frame. Every
          client asks to continue after the last event it has, so none should miss or repeat one.
        </p>
      </header>
      <TransportLab />
    </div>
  );
}
