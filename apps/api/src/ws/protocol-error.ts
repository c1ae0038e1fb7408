import type { ErrorCode, ProtocolFailure } from '@duplex/protocol';

/** A refusal that reaches the client as an `error` frame with this code. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'ProtocolError';
  }

  toFailure(id?: string): ProtocolFailure {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields && { fields: this.fields }),
      ...(id !== undefined && { id }),
    };
  }
}
