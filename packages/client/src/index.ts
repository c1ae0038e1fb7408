export {
  DuplexClient,
  CLIENT_RETRY_CLOSE_CODE,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type CloseInfo,
  type DuplexClientEvents,
  type DuplexClientOptions,
  type RequestOptions,
} from './duplex-client.js';
export type { ConnectionState } from './connection-state.js';
export { backoffDelay, DEFAULT_RECONNECT_OPTIONS, type ReconnectOptions } from './backoff.js';
export { ConnectionClosedError, MalformedAckError, RequestError, RequestTimeoutError } from './errors.js';
export { TypedEmitter, type Listener } from './typed-emitter.js';
export type {
  CloseEventLike,
  MessageEventLike,
  WebSocketConstructorLike,
  WebSocketLike,
} from './websocket-like.js';
