import 'reflect-metadata';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { BadRequestFilter } from './http/bad-request.filter.js';
import {
  applyServerTimeouts,
  HTTP_SERVER_TIMEOUTS,
  type HttpServerTimeouts,
} from './http/server-timeouts.js';
import { createLogger, NestPinoLogger, type AppLogger } from './logging/logger.js';
import type { MessageStore } from './storage/message-store.js';
import { DuplexWsAdapter } from './ws/duplex-ws.adapter.js';

/**
 * Builds the api (HTTP and WebSocket on one server), ready to `listen`. `store`: its message
 * store, when opening it was started before; else it is opened from `config`.
 */
export async function createApp(
  config: AppConfig,
  logger: AppLogger = createLogger(config.logLevel),
  timeouts: HttpServerTimeouts = HTTP_SERVER_TIMEOUTS,
  store?: Promise<MessageStore>,
): Promise<INestApplication> {
  const root = AppModule.forRoot(config, logger, store);
  const app = await NestFactory.create<NestExpressApplication>(root, {
    logger: new NestPinoLogger(logger),
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  applyServerTimeouts(app.getHttpServer() as Server, timeouts);
  app.useGlobalFilters(new BadRequestFilter(app.getHttpAdapter()));
  app.useWebSocketAdapter(new DuplexWsAdapter(app, config));
  app.enableCors({ origin: [...config.allowedOrigins] });
  return app;
}
