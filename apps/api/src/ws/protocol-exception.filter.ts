import { Catch, type ArgumentsHost, type WsExceptionFilter } from '@nestjs/common';
import { INBOUND_FRAME_ARG, type InboundFrame } from './inbound-frame.js';
import { ProtocolError } from './protocol-error.js';

/**
 * Speaks PROTOCOL.md for anything a handler throws: a {@link ProtocolError} becomes its
 * `error` frame; anything else is a server fault, answered `internal` without its detail.
 */
@Catch()
export class ProtocolExceptionFilter implements WsExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const frame = host.getArgByIndex<InboundFrame | undefined>(INBOUND_FRAME_ARG);
    if (!frame) return;
    if (exception instanceof ProtocolError) {
      frame.reject({
        code: exception.code,
        message: exception.message,
        ...(exception.fields && { fields: exception.fields }),
      });
    } else {
      frame.fault(exception);
    }
  }
}
