import type { Session } from '../session/session.js';

interface BufferedMessage {
  seq: number;
  payload: Buffer;
}

/**
 * What one member session is sent of a room. `joining`: its history is being read, so messages
 * are held and other room frames dropped (the join ack reflects them). `live`: messages go out in
 * `seq` order, each once; one at or below the last sent is a duplicate and is dropped.
 */
type FeedState =
  | { state: 'joining'; held: BufferedMessage[]; lastSeqBefore: number }
  | { state: 'live'; lastSeq: number };

export class MemberFeed {
  private current: FeedState = { state: 'joining', held: [], lastSeqBefore: 0 };

  constructor(readonly session: Session) {}

  get isLive(): boolean {
    return this.current.state === 'live';
  }

  /** A (re-)join started: hold messages until its history has been sent. */
  startJoining(): void {
    const lastSeqBefore = this.current.state === 'live' ? this.current.lastSeq : 0;
    this.current = { state: 'joining', held: [], lastSeqBefore };
  }

  /** The join failed: the feed goes on from where it was before it. */
  cancelJoining(): void {
    if (this.current.state === 'joining') this.goLive(this.current.lastSeqBefore);
  }

  /** The join ack, holding history up to `lastSeq`, was sent: send what came after it. */
  goLive(lastSeq: number): void {
    const held = this.current.state === 'joining' ? this.current.held : [];
    this.current = { state: 'live', lastSeq };
    for (const message of held) this.deliverMessage(message.seq, message.payload);
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
