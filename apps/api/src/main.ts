import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './logging/logger.js';
import { openMessageStore } from './storage/open-message-store.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // A fault in one connection's work must not take every other connection down with it.
  process.on('unhandledRejection', (reason) =>
    logger.error({ err: reason }, 'unhandled rejection'),
  );
  // The store (its worker thread) opens while the framework's modules load: a faster start.
  const store = openMessageStore(config, logger);
  store.catch(() => undefined); // its failure is reported by createApp, which awaits it
  const { createApp } = await import('./app.js');
  const app = await createApp(config, logger, undefined, store);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.port, config.host);
  logger.info({ port: config.port, host: config.host }, 'duplex api listening');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
