import {
  BadRequestException,
  Catch,
  type ArgumentsHost,
  type ExceptionFilter,
  type HttpServer,
} from '@nestjs/common';
import { HTTP_BAD_REQUEST } from '@duplex/protocol';

/** Every HTTP 400 of the api carries `{code: "bad_request", message}` (PROTOCOL.md). */
@Catch(BadRequestException)
export class BadRequestFilter implements ExceptionFilter<BadRequestException> {
  constructor(private readonly http: HttpServer) {}

  catch(exception: BadRequestException, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    this.http.reply(response, { code: HTTP_BAD_REQUEST, message: exception.message }, 400);
  }
}
