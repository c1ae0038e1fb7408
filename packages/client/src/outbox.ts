import type { ErrorCode } from '@duplex/protocol';

export type PendingStatus = 'queued' | 'sending' | 'failed';

/** A message the user sent that has no seq yet, as the room state shows it. */
export interface PendingMessage {
  readonly clientId: string;
  readonly text: string;
  readonly status: PendingStatus;
  /** The error code the server answered with, when `failed`. */
  readonly error?: ErrorCode;
}

export interface OutboxEntry extends PendingMessage {
  readonly room: string;
}

/**
 * Unacknowledged chat sends in the order they were made, across rooms. `queued` entries wait
 * for the link and are sent (again) in order; `sending` ones are on the wire; `failed` ones were
 * refused by the server: never sent again unless retried, kept only for the UI to show.
 * Entries are immutable: every change replaces the entry, so room snapshots can share them.
 */
export class Outbox {
  private entries: OutboxEntry[] = [];

  add(room: string, clientId: string, text: string): OutboxEntry {
    const entry: OutboxEntry = Object.freeze({ room, clientId, text, status: 'queued' });
    this.entries.push(entry);
    return entry;
  }

  get(clientId: string): OutboxEntry | undefined {
    return this.entries.find((entry) => entry.clientId === clientId);
  }

  /** Entries to send now: `queued`, in their original order. */
  sendable(): OutboxEntry[] {
    return this.entries.filter((entry) => entry.status === 'queued');
  }

  /** Entries of one room (failed ones included), in order. */
  forRoom(room: string): OutboxEntry[] {
    return this.entries.filter((entry) => entry.room === room);
  }

  markSending(clientId: string): boolean {
    return this.update(clientId, (entry) => entry.status === 'queued', { status: 'sending' });
  }

  /** Back to the queue, to be sent again with the same clientId (connection lost, retry). */
  requeue(clientId: string): boolean {
    return this.update(clientId, (entry) => entry.status !== 'queued', {
      status: 'queued',
      error: undefined,
    });
  }

  fail(clientId: string, error: ErrorCode): boolean {
    return this.update(clientId, (entry) => entry.status !== 'failed' || entry.error !== error, {
      status: 'failed',
      error,
    });
  }

  /** Removes the entry (delivered or discarded); false when there was none. */
  remove(clientId: string): OutboxEntry | undefined {
    const index = this.entries.findIndex((entry) => entry.clientId === clientId);
    if (index === -1) return undefined;
    const [removed] = this.entries.splice(index, 1);
    return removed;
  }

  removeRoom(room: string): void {
    this.entries = this.entries.filter((entry) => entry.room !== room);
  }

  private update(
    clientId: string,
    when: (entry: OutboxEntry) => boolean,
    change: { status: PendingStatus; error?: ErrorCode | undefined },
  ): boolean {
    const index = this.entries.findIndex((entry) => entry.clientId === clientId);
    const entry = this.entries[index];
    if (!entry || !when(entry)) return false;
    const { room, text } = entry;
    const { status, error } = change;
    this.entries[index] = Object.freeze({
      room,
      clientId,
      text,
      status,
      ...(error !== undefined && { error }),
    });
    return true;
  }
}
