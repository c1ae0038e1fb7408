import Link from 'next/link';
import { DemoCards } from '@/components/lobby/demo-cards';
import { Lobby } from '@/components/lobby/lobby';

export default function HomePage() {
  return (
    <div className="page">
      <header className="page-header">
        <p className="eyebrow">Realtime on the web</p>
        <h1>Chat, calls and a raw socket, over one WebSocket.</h1>
        <p className="lede" data-testid="home-intro">
          Duplex is realtime on the web over one WebSocket: chat rooms with presence and durable
          history, 1:1 video and audio calls over WebRTC, and a raw WebSocket echo playground.
          Everything here runs against the real api, so open a second window and talk to yourself.
        </p>
      </header>
      <DemoCards />
      <p className="card hint" data-testid="home-transports">
        Why one WebSocket rather than polling?{' '}
        <Link href="/transports" data-testid="transports-link">
          Compare short polling, long polling, SSE and WebSocket live
        </Link>
        , on one stream of events, with the requests, bytes and latency each one costs.
      </p>
      <Lobby />
    </div>
  );
}
