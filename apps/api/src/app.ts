import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/config.js';
import { createLogger, NestPinoLogger, type AppLogger } from './logging/logger.js';
import { DuplexWsAdapter } from './ws/duplex-ws.adapter.js';

/** Builds the api (HTTP and WebSocket on one server), ready to `listen`. */
export async function createApp(
  config: AppConfig,
  logger: AppLogger = createLogger(config.logLevel),
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config, logger), {
    logger: new NestPinoLogger(logger),
  });
  app.useWebSocketAdapter(new DuplexWsAdapter(app, config));
  app.enableCors({ origin: [...config.allowedOrigins] });
  return app;
}
