import type { ErrorCode, ErrorData } from '@duplex/protocol';

/** The server answered a request with an `error` frame. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  readonly code: ErrorCode;
  /** `details.fields` of a `bad_message`: the failing keys. */
  readonly fields: string[] | undefined;

  constructor(data: ErrorData) {
    super(data.message);
    this.code = data.code;
    this.fields = data.details?.fields;
  }
}

/** No reply within the request's timeout, counted from the `request()` call. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';

  constructor(event: string, timeoutMs: number) {
    super(`No reply to ${event} within ${timeoutMs} ms`);
  }
}

/** The socket closed (or the client was closed) before the request was answered. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';

  constructor(message = 'The connection closed before the request was answered') {
    super(message);
  }
}

/** The server acknowledged a request with data that does not match the protocol. */
export class MalformedAckError extends Error {
  override readonly name = 'MalformedAckError';

  constructor(event: string) {
    super(`The ack of ${event} does not match the protocol`);
  }
}
