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
      <Lobby />
    </div>
  );
}
