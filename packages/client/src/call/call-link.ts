import type { AckData, ClientEventInput, ClientEventName } from '@duplex/protocol';
import type { ConnectionState } from '../connection-state.js';
import type { DuplexClientEvents } from '../duplex-client.js';
import type { RoomStore } from '../room-store.js';

/** What the call layer needs of the connection: `DuplexClient` fits. */
export interface CallLink {
  readonly state: ConnectionState;
  readonly session: AckData<'hello'> | null;
  request<E extends ClientEventName>(event: E, data: ClientEventInput<E>): Promise<AckData<E>>;
  on<K extends keyof DuplexClientEvents>(
    type: K,
    listener: (value: DuplexClientEvents[K]) => void,
  ): () => void;
  /** A joined room, to find a callee's name from its `userId`. */
  room?(room: string): RoomStore | undefined;
}
