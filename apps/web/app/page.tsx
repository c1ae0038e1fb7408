import Link from 'next/link';
import { Lobby } from '@/components/lobby/lobby';

export default function HomePage() {
  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow">Chat rooms</p>
        <h1>Talk in real time, over one socket.</h1>
        <p className="lede">
          Every room here runs against the real api: messages are broadcast over the WebSocket,
          stored before they are acknowledged, and recovered after a reconnect with nothing lost or
          doubled. Open a second window to talk to yourself.
        </p>
      </header>
      <Lobby />
      <aside className="card more-demos" aria-label="Other demos">
        <div>
          <h2 className="card-title">Echo playground</h2>
          <p className="hint">
            A raw WebSocket to <code>/ws/echo</code>: send text and binary frames and watch{' '}
            <code>readyState</code> and <code>bufferedAmount</code>.
          </p>
        </div>
        <Link href="/echo" className="button" data-testid="echo-link">
          Open the playground →
        </Link>
      </aside>
    </div>
  );
}
