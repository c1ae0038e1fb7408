/** Reads the room's stored messages with `seq > after`, `limit` at most, as encoded frames. */
export type ReadAfter = (
  after: number,
  limit: number,
) => Promise<{ seq: number; payload: Buffer }[]>;

/** Messages read from the store per round of a gap fill. */
const FILL_PAGE = 500;
const FILL_RETRY_MS = 1000;
/**
 * How long a gap may close by itself before it is read from the store. Instances publish
 * independently, so in a busy room shared by several, a message often arrives a moment after
 * its successor; reading each such gap would cost a store read per message.
 */
export const GAP_WAIT_MS = 50;

/**
 * A room's `chat.message` frames as this instance passes them to its members: every `seq` once,
 * in order, none missing. Frames come from this instance and from others (through Redis), so
 * they may arrive out of order, twice, or never (an instance died between commit and publish).
 *
 * `waiting`: no join's history has been read yet, so where the room stands is unknown; frames
 * are held. `flowing`: every `seq` up to `lastSeq` was passed on. `gapped`: a gap after
 * `lastSeq` up to `target` is given `GAP_WAIT_MS` to close by itself (frames that close it go
 * on at once, later ones are held). `filling`: the gap is being read from the store; newer
 * frames are held meanwhile.
 */
type StreamState =
  | { state: 'waiting'; held: Map<number, Buffer> }
  | { state: 'flowing'; lastSeq: number }
  | {
      state: 'gapped';
      lastSeq: number;
      target: number;
      held: Map<number, Buffer>;
      timer: NodeJS.Timeout;
    }
  | { state: 'filling'; lastSeq: number; target: number; held: Map<number, Buffer> }
  | { state: 'closed' };

export class RoomStream {
  private current: StreamState = { state: 'waiting', held: new Map() };
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly readAfter: ReadAfter,
    private readonly emit: (seq: number, payload: Buffer) => void,
    private readonly onFilled: (count: number) => void,
    private readonly onFillError: (error: unknown) => void,
    private readonly gapWaitMs = GAP_WAIT_MS,
  ) {}

  /** The newest `seq` passed on, or undefined while waiting. */
  get lastSeq(): number | undefined {
    return 'lastSeq' in this.current ? this.current.lastSeq : undefined;
  }

  receive(seq: number, payload: Buffer): void {
    const stream = this.current;
    switch (stream.state) {
      case 'waiting':
        stream.held.set(seq, payload);
        return;
      case 'flowing':
        if (seq <= stream.lastSeq) return;
        if (seq === stream.lastSeq + 1) {
          stream.lastSeq = seq;
          this.emit(seq, payload);
          return;
        }
        this.fill(stream.lastSeq, seq - 1, new Map([[seq, payload]]));
        return;
      case 'gapped':
        if (seq <= stream.lastSeq) return;
        stream.held.set(seq, payload);
        this.closeGap(stream);
        return;
      case 'filling':
        if (seq > stream.lastSeq) stream.held.set(seq, payload);
        return;
      case 'closed':
        return;
    }
  }

  /**
   * The room's messages up to `lastSeq` are stored (a join's history ended there, or the store
   * says so): whatever of them was not passed on yet is read and passed on.
   */
  caughtUp(lastSeq: number): void {
    const stream = this.current;
    switch (stream.state) {
      case 'waiting':
        this.current = { state: 'flowing', lastSeq };
        this.release(stream.held);
        return;
      case 'flowing':
        if (lastSeq > stream.lastSeq) this.fill(stream.lastSeq, lastSeq, new Map());
        return;
      case 'gapped':
      case 'filling':
        stream.target = Math.max(stream.target, lastSeq);
        return;
      case 'closed':
        return;
    }
  }

  close(): void {
    if (this.current.state === 'gapped') clearTimeout(this.current.timer);
    this.current = { state: 'closed' };
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Passes on held frames in order, from a flowing stream, until the next gap. */
  private release(held: Map<number, Buffer>): void {
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      const stream = this.current;
      if (stream.state !== 'flowing') return;
      if (seq <= stream.lastSeq) {
        held.delete(seq);
        continue;
      }
      if (seq > stream.lastSeq + 1) {
        this.fill(stream.lastSeq, seq - 1, held);
        return;
      }
      const payload = held.get(seq)!;
      held.delete(seq);
      stream.lastSeq = seq;
      this.emit(seq, payload);
    }
  }

  /** A gap after `lastSeq` up to `target`: read from the store unless it closes by itself first. */
  private fill(lastSeq: number, target: number, held: Map<number, Buffer>): void {
    if (this.gapWaitMs <= 0) {
      this.startReading(lastSeq, target, held);
      return;
    }
    const timer = setTimeout(() => {
      const stream = this.current;
      if (stream.state === 'gapped' && stream.timer === timer) {
        this.startReading(stream.lastSeq, stream.target, stream.held);
      }
    }, this.gapWaitMs);
    this.current = { state: 'gapped', lastSeq, target, held, timer };
  }

  /** Passes on what now follows `lastSeq` without a gap; flowing again once the gap is closed. */
  private closeGap(stream: Extract<StreamState, { state: 'gapped' }>): void {
    for (let next = stream.held.get(stream.lastSeq + 1); next;) {
      stream.held.delete(++stream.lastSeq);
      this.emit(stream.lastSeq, next);
      if (this.current !== stream) return;
      next = stream.held.get(stream.lastSeq + 1);
    }
    if (stream.lastSeq < stream.target) return;
    clearTimeout(stream.timer);
    this.current = { state: 'flowing', lastSeq: stream.lastSeq };
    this.release(stream.held);
  }

  private startReading(lastSeq: number, target: number, held: Map<number, Buffer>): void {
    this.current = { state: 'filling', lastSeq, target, held };
    void this.readGap();
  }

  private async readGap(): Promise<void> {
    let filled = 0;
    try {
      for (;;) {
        const stream = this.current;
        if (stream.state !== 'filling') return;
        if (stream.lastSeq >= stream.target) break;
        const rows = await this.readAfter(
          stream.lastSeq,
          Math.min(stream.target - stream.lastSeq, FILL_PAGE),
        );
        if (this.current !== stream) return;
        const before = stream.lastSeq;
        for (const { seq, payload } of rows) {
          if (seq !== stream.lastSeq + 1) break;
          stream.held.delete(seq);
          stream.lastSeq = seq;
          filled++;
          this.emit(seq, payload);
        }
        // A later seq was committed, so every earlier one is: a read without it is a fault.
        if (stream.lastSeq === before) throw new Error(`seq ${before + 1} not found in the store`);
      }
    } catch (error) {
      this.onFillError(error);
      if (this.current.state === 'filling') {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          void this.readGap();
        }, FILL_RETRY_MS);
      }
      return;
    } finally {
      if (filled > 0) this.onFilled(filled);
    }
    const stream = this.current;
    if (stream.state !== 'filling') return;
    this.current = { state: 'flowing', lastSeq: stream.lastSeq };
    this.release(stream.held);
  }
}
