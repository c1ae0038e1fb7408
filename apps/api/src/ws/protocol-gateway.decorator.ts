import { applyDecorators, UseFilters } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import { ProtocolExceptionFilter } from './protocol-exception.filter.js';

/** The JSON protocol endpoint. Every gateway of `/ws` shares its socket and speaks PROTOCOL.md. */
export const WS_PATH = '/ws';

export const ProtocolGateway = () =>
  applyDecorators(WebSocketGateway({ path: WS_PATH }), UseFilters(ProtocolExceptionFilter));
