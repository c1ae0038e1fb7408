import type { Metadata } from 'next';
import { EchoPlayground } from '@/components/echo/echo-playground';

export const metadata: Metadata = {
  title: 'Echo playground',
  description: 'Open a raw WebSocket to the api and watch text and binary frames come back.',
};

export default function EchoPage() {
  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow">Playground</p>
        <h1>WebSocket echo</h1>
        <p className="lede">
          The browser&apos;s own <code>WebSocket</code>, nothing on top. The api&apos;s{' '}
          <code>/ws/echo</code> endpoint sends every frame back unchanged: text stays text, binary
          stays binary. Watch <code>readyState</code> and <code>bufferedAmount</code> move as you
          go.
        </p>
        <p className="hint" data-testid="echo-socket-note">
          This socket is the playground&apos;s own: its state is the one on the Connection card. The
          chat connection at the top of the page is a separate socket.
        </p>
      </header>
      <EchoPlayground />
    </div>
  );
}
