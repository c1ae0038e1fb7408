import Link from 'next/link';

interface Demo {
  title: string;
  body: string;
  href?: string;
  status: 'ready' | 'coming next';
}

const DEMOS: readonly Demo[] = [
  {
    title: 'Echo playground',
    body: 'A raw WebSocket to the api: send text and binary frames, see them echoed, and watch readyState and bufferedAmount change.',
    href: '/echo',
    status: 'ready',
  },
  {
    title: 'Chat rooms',
    body: 'Many people, one socket each: broadcast, who is online, typing, and history that survives restarts and reconnects with nothing lost or doubled.',
    status: 'coming next',
  },
  {
    title: '1:1 calls',
    body: 'WebRTC audio and video whose signalling (invite, offer, answer, ICE candidates, bye) rides the same socket, with TURN credentials from the api.',
    status: 'coming next',
  },
];

function DemoCard({ demo }: { demo: Demo }) {
  const content = (
    <>
      <div className="demo-card-top">
        <h2>{demo.title}</h2>
        <span className={`pill ${demo.status === 'ready' ? 'pill-ready' : 'pill-soon'}`}>
          {demo.status === 'ready' ? 'Try it' : 'Coming next'}
        </span>
      </div>
      <p>{demo.body}</p>
      {demo.href ? <span className="demo-card-cta">Open →</span> : null}
    </>
  );
  return demo.href ? (
    <Link href={demo.href} className="card demo-card demo-card-link">
      {content}
    </Link>
  ) : (
    <div className="card demo-card demo-card-soon" aria-disabled="true">
      {content}
    </div>
  );
}

export default function HomePage() {
  return (
    <div className="page">
      <header className="page-header hero">
        <p className="eyebrow">Realtime reference</p>
        <h1>Realtime on the web, the real thing.</h1>
        <p className="lede">
          Duplex is a NestJS WebSocket gateway and this Next.js app, speaking one typed protocol. It
          is meant to be read and built on: every demo runs against a real server, and the interface
          tells you the truth about the connection.
        </p>
      </header>
      <ul className="demo-grid" aria-label="Demos">
        {DEMOS.map((demo) => (
          <li key={demo.title}>
            <DemoCard demo={demo} />
          </li>
        ))}
      </ul>
      <section className="card explainer" aria-labelledby="under-the-hood">
        <h2 id="under-the-hood">Under the hood</h2>
        <ul>
          <li>
            One socket per tab at <code>/ws</code> carries session, rooms, chat and call signalling
            as JSON envelopes; <code>/ws/echo</code> is the bare playground endpoint.
          </li>
          <li>
            The client owns recovery: back-off with jitter, a resume token and an outbox of unacked
            sends. The badge in the header shows its state live.
          </li>
          <li>
            Payload shapes, limits and close codes live in one package that the api, the client and
            the tests all import.
          </li>
        </ul>
      </section>
    </div>
  );
}
