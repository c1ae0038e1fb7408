import type { CallManager, CallSession, CallSnapshot } from '@duplex/client';

/** A call session for component tests: a snapshot that the test changes, and spied actions. */
export class FakeSession {
  readonly calls: string[] = [];
  private listeners = new Set<() => void>();

  constructor(private snapshot: CallSnapshot) {}

  get callId(): string {
    return this.snapshot.callId;
  }
  /** How many subscribers are listening now. */
  get listenerCount(): number {
    return this.listeners.size;
  }
  getSnapshot = (): CallSnapshot => this.snapshot;
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  update(patch: Partial<CallSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }
  accept = async (): Promise<void> => {
    this.calls.push('accept');
  };
  decline = async (): Promise<void> => {
    this.calls.push('decline');
  };
  hangUp = async (): Promise<void> => {
    this.calls.push('hangUp');
    this.update({ phase: 'ended' });
  };
  setMuted = (muted: boolean): void => {
    this.calls.push(`setMuted ${muted}`);
    this.update({ muted });
  };
  setVideo = async (video: boolean): Promise<void> => {
    this.calls.push(`setVideo ${video}`);
    this.update({ video });
  };

  asSession(): CallSession {
    return this as unknown as CallSession;
  }
}

/** A CallManager whose `current` the test sets. */
export class FakeManager {
  private session: FakeSession | null = null;
  private listeners = new Set<() => void>();

  getSnapshot = (): CallSession | null => this.session?.asSession() ?? null;
  /** How many subscribers are listening now. */
  get listenerCount(): number {
    return this.listeners.size;
  }
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
  publish(session: FakeSession | null): void {
    this.session = session;
    for (const listener of this.listeners) listener();
  }
  asManager(): CallManager {
    return this as unknown as CallManager;
  }
}

export function callSnapshot(patch: Partial<CallSnapshot> = {}): CallSnapshot {
  return {
    callId: 'call-1',
    phase: 'connected',
    role: 'caller',
    peer: { userId: 'u-bob', name: 'Bob' },
    room: 'general',
    video: false,
    remoteVideo: false,
    remoteMedia: { audio: true, video: false },
    muted: false,
    localStream: null,
    remoteStream: null,
    startedAt: Date.now(),
    endReason: null,
    error: null,
    stats: null,
    ...patch,
  } as CallSnapshot;
}

/** Makes `(min-width: …)` queries answer as a window `width` px wide would. */
export function setViewportWidth(width: number): void {
  window.matchMedia = ((query: string) => {
    const min = /min-width:\s*(\d+)px/.exec(query);
    return {
      matches: min ? width >= Number(min[1]) : false,
      media: query,
      addEventListener: () => {},
      removeEventListener: () => {},
    };
  }) as unknown as typeof window.matchMedia;
  Object.defineProperty(window, 'innerWidth', { configurable: true, value: width });
}
