import type { Session } from '../session/session.js';

interface BufferedMessage {
  seq: number;
  payload: Buffer;
}

/**
 * One join of a feed. A session resumed on a new connection may join again while the join of
 * its old connection still reads history: only the latest join decides when the feed goes live.
 */
export type FeedJoin = object;

/**
 * What one member session is sent of a room. `joining`: the history of `join` is being read, so
 * messages are held and other room frames dropped (the join ack reflects them); `resumeAt` is
 * where the feed goes on if that join fails, `null` when no join of it ever completed. `live`:
 * messages go out in `seq` order, each once; one at or below the last sent is a duplicate and is
 * dropped.
 */
type FeedState =
  | { state: 'joining'; join: FeedJoin; held: BufferedMessage[]; resumeAt: number | null }
  | { state: 'live'; lastSeq: number };

export class MemberFeed {
  private current: FeedState = { state: 'joining', join: {}, held: [], resumeAt: null };

  constructor(readonly session: Session) {}

  get isLive(): boolean {
    return this.current.state === 'live';
  }

  /**
   * A (re-)join started: messages are held until its history has been sent. A join still
   * reading is superseded; what it held stays held.
   */
  startJoining(): FeedJoin {
    const join: FeedJoin = {};
    const feed = this.current;
    this.current =
      feed.state === 'live'
        ? { state: 'joining', join, held: [], resumeAt: feed.lastSeq }
        : { ...feed, join };
    return join;
  }

  /**
   * The ack of `join`, holding history up to `lastSeq`, was sent: send what came after it.
   * A superseded join only records that the session did get a history up to `lastSeq`.
   */
  goLive(join: FeedJoin, lastSeq: number): void {
    const feed = this.current;
    if (feed.state !== 'joining') return;
    if (feed.join !== join) {
      feed.resumeAt = Math.max(feed.resumeAt ?? 0, lastSeq);
      return;
    }
    this.current = { state: 'live', lastSeq };
    for (const message of feed.held) this.deliverMessage(message.seq, message.payload);
  }

  /**
   * `join` failed. True when no join of this feed ever completed, so the membership it started
   * ends; otherwise the feed goes on from the last history sent (or waits for a later join).
   */
  failJoin(join: FeedJoin): boolean {
    const feed = this.current;
    if (feed.state !== 'joining' || feed.join !== join) return false;
    if (feed.resumeAt === null) return true;
    this.goLive(join, feed.resumeAt);
    return false;
  }

  /** A chat message of the room, encoded once for every recipient. True when it was written. */
  deliverMessage(seq: number, payload: Buffer): boolean {
    const feed = this.current;
    if (feed.state === 'joining') {
      feed.held.push({ seq, payload });
      return false;
    }
    if (seq <= feed.lastSeq) return false;
    feed.lastSeq = seq;
    return this.session.connection?.sendEncoded(payload) ?? false;
  }

  /** Any other room frame (presence, typing): only to a live member. */
  deliver(payload: Buffer): boolean {
    return this.isLive && (this.session.connection?.sendEncoded(payload) ?? false);
  }
}
