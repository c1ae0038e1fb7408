export {
  DuplexClient,
  CLIENT_RETRY_CLOSE_CODE,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type CloseInfo,
  type DisconnectInfo,
  type DuplexClientEvents,
  type DuplexClientOptions,
  type RequestOptions,
} from './duplex-client.js';
export type { ConnectionState } from './connection-state.js';
export { backoffDelay, DEFAULT_RECONNECT_OPTIONS, type ReconnectOptions } from './backoff.js';
export {
  ConnectionClosedError,
  MalformedAckError,
  RequestError,
  RequestTimeoutError,
} from './errors.js';
export { TypedEmitter, type Listener } from './typed-emitter.js';
export type {
  CloseEventLike,
  MessageEventLike,
  WebSocketConstructorLike,
  WebSocketLike,
} from './websocket-like.js';
export type { RoomSnapshot, RoomStore } from './room-store.js';
export type { PendingMessage, PendingStatus } from './outbox.js';
export type { SkippedMessage } from './skipped-message.js';
export { HistoryRequestError } from './history-loader.js';
export { MembersRequestError } from './members-loader.js';
export { HttpRequestError, type FetchLike } from './http-request.js';
export { deriveHttpBase } from './http-base.js';
export { createClientId } from './client-id.js';
export { TYPING_EXPIRY_MS } from './typing-tracker.js';
export { TYPING_THROTTLE_MS } from './typing-throttle.js';
export * from './call/index.js';
export type { NetworkEventSource } from './network-events.js';
