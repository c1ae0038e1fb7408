import type { ClientCounters } from './ticker-client';

/**
 * The gap detector of one client: every `seq` of the stream should arrive once, in order. A seq
 * at or below the last one is a duplicate; a jump is missing events, unless the client was
 * refused its cursor and started again without one, when the jump is the events it knowingly
 * missed.
 */
export class SequenceTracker {
  private lastSeq: number | null = null;
  private restarting = false;
  private counts = { received: 0, missing: 0, duplicates: 0, missed: 0 };

  /** The last seq received. */
  get last(): number | null {
    return this.lastSeq;
  }

  /** The cursor to ask with: the last seq, or none while starting again without one. */
  get cursor(): number | undefined {
    return this.restarting ? undefined : (this.lastSeq ?? undefined);
  }

  get received(): number {
    return this.counts.received;
  }

  /** Events never received, though the cursor said they would come. Must stay 0. */
  get missing(): number {
    return this.counts.missing;
  }

  /** Events received more than once, or out of order. Must stay 0. */
  get duplicates(): number {
    return this.counts.duplicates;
  }

  /** Events skipped on purpose: the cursor was refused (too old) and the client started again. */
  get missed(): number {
    return this.counts.missed;
  }

  /** Takes a received seq; true when it is new (to be shown), false for a duplicate. */
  accept(seq: number): boolean {
    if (this.lastSeq !== null && seq <= this.lastSeq) {
      this.counts.duplicates++;
      return false;
    }
    if (this.lastSeq !== null) {
      const gap = seq - this.lastSeq - 1;
      if (this.restarting) this.counts.missed += gap;
      else this.counts.missing += gap;
    }
    this.restarting = false;
    this.lastSeq = seq;
    this.counts.received++;
    return true;
  }

  /** The client's counters: what this tracker saw, with the client's own request counts. */
  counters(
    client: Pick<ClientCounters, 'requests' | 'emptyResponses' | 'cursorResets'>,
  ): ClientCounters {
    return {
      events: this.counts.received,
      missing: this.counts.missing,
      duplicates: this.counts.duplicates,
      missed: this.counts.missed,
      lastSeq: this.lastSeq,
      ...client,
    };
  }

  /** The client starts again without a cursor: the jump to its next seq is counted as missed. */
  dropCursor(): void {
    this.restarting = true;
  }
}
