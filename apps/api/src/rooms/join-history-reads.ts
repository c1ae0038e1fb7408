import type { RoomHistory } from '../storage/message-store.js';

/** Reads a room's history for a join from the store (`since` as in `room.join`). */
export type ReadHistory = (room: string, since: number | undefined) => Promise<RoomHistory>;

/**
 * The reads of one (room, `since`): the one `running`, and the `next` one, which joins asking
 * while `running` runs wait for and share. `next` is null until the first such join asks.
 */
interface KeyReads {
  running: Promise<RoomHistory>;
  next: Promise<RoomHistory> | null;
}

/**
 * The history reads of joins, shared. A join's history must be read after the join became a
 * member (what the read does not hold then reaches its feed live), so a join never shares a
 * read that has already started: joins asking for the same room and `since` while a read runs
 * share the next one, started when it ends. A storm of N joins (everyone re-joining after a
 * restart) costs a few reads instead of N.
 */
export class JoinHistoryReads {
  private readonly reads = new Map<string, KeyReads>();

  constructor(private readonly readHistory: ReadHistory) {}

  /** The room's history as `room.join` with `since` acknowledges it, read after this call. */
  read(room: string, since: number | undefined): Promise<RoomHistory> {
    const key = `${room} ${since ?? ''}`;
    const reads = this.reads.get(key);
    if (!reads) return this.start(key, room, since);
    reads.next ??= afterSettled(reads.running).then(() => this.start(key, room, since));
    return reads.next;
  }

  private start(key: string, room: string, since: number | undefined): Promise<RoomHistory> {
    const running = this.readHistory(room, since);
    const reads: KeyReads = { running, next: null };
    this.reads.set(key, reads);
    const ended = () => {
      if (this.reads.get(key) === reads) this.reads.delete(key);
    };
    running.then(ended, ended);
    return running;
  }
}

/** Resolves once `promise` settled, either way. */
function afterSettled(promise: Promise<unknown>): Promise<void> {
  return promise.then(
    () => undefined,
    () => undefined,
  );
}
