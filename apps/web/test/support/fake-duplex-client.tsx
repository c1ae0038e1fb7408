import {
  TypedEmitter,
  type ConnectionState,
  type DisconnectInfo,
  type DuplexClient,
  type DuplexClientEvents,
  type RoomSnapshot,
  type RoomStore,
} from '@duplex/client';
import { DEFAULT_LIMITS, type AckData, type User } from '@duplex/protocol';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import { DuplexClientContext } from '@/hooks/use-duplex-client';

export const ann: User = { userId: '3f2a91c0-7d3e-4b1a-9f00-0a1b2c3d4e5f', name: 'Ann' };
export const bob: User = { userId: '9c01ab77-1e2f-4a3b-8c4d-5e6f7a8b9c0d', name: 'Bob' };

export function session(user: User = ann): AckData<'hello'> {
  return {
    userId: user.userId,
    name: user.name,
    identity: `${user.userId}.secret`,
    resume: 'resume-1',
    resumed: false,
    rooms: [],
    iceServers: [],
    limits: { ...DEFAULT_LIMITS },
    serverTime: '2025-03-01T10:00:00.000Z',
  };
}

export function roomSnapshot(overrides: Partial<RoomSnapshot> = {}): RoomSnapshot {
  return {
    room: 'general',
    members: [ann, bob],
    online: 2,
    hasMoreMembers: false,
    messages: [],
    pending: [],
    typing: [],
    lastSeq: 0,
    hasOlder: false,
    recovered: false,
    live: true,
    ...overrides,
  };
}

/** A room's store whose snapshot a test replaces. */
export class FakeRoomStore implements RoomStore {
  private listeners = new Set<() => void>();
  constructor(
    readonly room: string,
    private snapshot: RoomSnapshot,
  ) {}
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  getSnapshot(): RoomSnapshot {
    return this.snapshot;
  }
  set(changes: Partial<RoomSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...changes };
    for (const listener of [...this.listeners]) listener();
  }
}

/**
 * The parts of DuplexClient the web app reads, driven by the test: `update` changes the
 * connection facts and emits the events the real client would.
 */
export class FakeDuplexClient {
  state: ConnectionState = 'connecting';
  session: AckData<'hello'> | null = null;
  nextRetryAt: number | null = null;
  lastDisconnect: DisconnectInfo | null = null;
  readonly retryNow = vi.fn();
  readonly stores = new Map<string, FakeRoomStore>();
  /** The `joinRoom` promises, by room, to settle from the test. */
  readonly joins = new Map<
    string,
    { resolve: (snapshot: RoomSnapshot) => void; reject: (error: unknown) => void }
  >();
  readonly joinRoom = vi.fn((room: string) => {
    if (!this.stores.has(room))
      this.stores.set(room, new FakeRoomStore(room, roomSnapshot({ room, live: false })));
    return new Promise<RoomSnapshot>((resolve, reject) =>
      this.joins.set(room, { resolve, reject }),
    );
  });
  readonly leaveRoom = vi.fn(() => Promise.resolve());
  readonly loadMoreMembers = vi.fn(() => Promise.resolve([]));
  readonly loadOlder = vi.fn(() => Promise.resolve([]));
  readonly sendChat = vi.fn(() => 'client-1');
  readonly retryChat = vi.fn(() => true);
  readonly discardChat = vi.fn(() => true);
  readonly setTyping = vi.fn();
  private readonly emitter = new TypedEmitter<DuplexClientEvents>();

  on<K extends keyof DuplexClientEvents>(
    type: K,
    listener: (value: DuplexClientEvents[K]) => void,
  ): () => void {
    return this.emitter.on(type, listener);
  }

  room(room: string): RoomStore | undefined {
    return this.stores.get(room);
  }

  /** Settles `room`'s join with its store's snapshot (live). */
  acceptJoin(room: string, changes: Partial<RoomSnapshot> = {}): void {
    const store = this.stores.get(room)!;
    store.set({ live: true, ...changes });
    this.joins.get(room)!.resolve(store.getSnapshot());
  }

  update(changes: {
    state?: ConnectionState;
    session?: AckData<'hello'> | null;
    nextRetryAt?: number | null;
    lastDisconnect?: DisconnectInfo | null;
  }): void {
    const { state, ...rest } = changes;
    Object.assign(this, rest);
    if ('nextRetryAt' in changes) this.emitter.emit('retry', this.nextRetryAt);
    if (state !== undefined && state !== this.state) {
      this.state = state;
      this.emitter.emit('state', state);
    }
  }

  /** What the real client does when another tab of its user took `name`. */
  rename(name: string): void {
    if (this.session) this.session = { ...this.session, name };
    this.emitter.emit('name', name);
  }

  asClient(): DuplexClient {
    return this as unknown as DuplexClient;
  }
}

export function withClient(client: FakeDuplexClient | null) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return (
      <DuplexClientContext.Provider value={client?.asClient() ?? null}>
        {children}
      </DuplexClientContext.Provider>
    );
  };
}
