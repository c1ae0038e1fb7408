import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { isOriginAllowed } from '../ws/origin-check.js';

/**
 * `Timing-Allow-Origin` for the allowed browser origins, on the ticker's HTTP responses: without
 * it a page on another origin (the web app) sees `transferSize` 0 in the Resource Timing API, and
 * cannot measure the bytes a poll costs. Set before the handler runs, so errors carry it too; the
 * CORS middleware already answers with `Vary: Origin`.
 */
@Injectable()
export class TimingAllowOrigin implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    allowTimingFor(
      http.getRequest<IncomingMessage>(),
      http.getResponse<ServerResponse>(),
      this.config.allowedOrigins,
    );
    return next.handle();
  }
}

/** Names the request's origin in `Timing-Allow-Origin` when it is one of `allowedOrigins`. */
export function allowTimingFor(
  request: IncomingMessage,
  response: ServerResponse,
  allowedOrigins: readonly string[],
): void {
  const origin = request.headers.origin;
  if (origin === undefined || !isOriginAllowed(origin, allowedOrigins)) return;
  response.setHeader('Timing-Allow-Origin', origin);
}
