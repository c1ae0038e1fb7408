import Link from 'next/link';
import { StartCallRoomButton } from './start-call-room-button';
import styles from './demo-cards.module.css';

/** The three demos, each with one action. The chat card's action leads to the lobby below. */
export function DemoCards() {
  return (
    <section className={styles.demos} aria-labelledby="demos-title">
      <h2 id="demos-title" className="visually-hidden">
        Demos
      </h2>
      <article
        className={`card ${styles.demo}`}
        data-testid="demo-chat"
        aria-labelledby="demo-chat-title"
      >
        <p className={styles.kind}>Chat</p>
        <h3 id="demo-chat-title" className={styles.title}>
          Rooms with presence and history
        </h3>
        <p className="hint">
          Messages are stored before they are acknowledged and come back after a reconnect, with
          nothing lost or doubled. See who is in the room as it happens.
        </p>
        <div className={styles.action}>
          {/* The room field below: following the link moves keyboard focus into it. */}
          <a href="#room-name" className="button button-primary" data-testid="demo-chat-action">
            Join a room
          </a>
        </div>
      </article>
      <article
        className={`card ${styles.demo}`}
        data-testid="demo-calls"
        aria-labelledby="demo-calls-title"
      >
        <p className={styles.kind}>Calls</p>
        <h3 id="demo-calls-title" className={styles.title}>
          1:1 video and audio over WebRTC
        </h3>
        <p className="hint">
          A call goes from a room to another member of it. Start a room, then open it in a second
          window or send its link, and call them from the member list.
        </p>
        <div className={styles.action}>
          <StartCallRoomButton />
        </div>
      </article>
      <article
        className={`card ${styles.demo}`}
        data-testid="demo-echo"
        aria-labelledby="demo-echo-title"
      >
        <p className={styles.kind}>Echo</p>
        <h3 id="demo-echo-title" className={styles.title}>
          A raw WebSocket playground
        </h3>
        <p className="hint">
          Send text and binary frames to <code>/ws/echo</code> and watch them come back, with{' '}
          <code>readyState</code> and <code>bufferedAmount</code> as they change.
        </p>
        <div className={styles.action}>
          <Link href="/echo" className="button button-primary" data-testid="echo-link">
            Open the playground
          </Link>
        </div>
      </article>
    </section>
  );
}
