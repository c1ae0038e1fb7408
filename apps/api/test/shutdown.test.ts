import { describe, expect, it } from 'vitest';
import { startServer } from './support/api-server.js';
import { RawClient } from './support/raw-client.js';

describe('shutdown', () => {
  it('app.close() closes open /ws and /ws/echo clients with 1001', async () => {
    const server = await startServer({ SHUTDOWN_GRACE_MS: 2000 });
    let stopped = false;
    try {
      const authed = await RawClient.connect(server.wsUrl('/ws'));
      await authed.hello('leaving');
      const fresh = await RawClient.connect(server.wsUrl('/ws'));
      const echo = await RawClient.connect(server.wsUrl('/ws/echo'));
      echo.send('ready?');
      await echo.nextRaw();

      await server.stop();
      stopped = true;
      const [a, b, c] = await Promise.all([
        authed.waitClosed(),
        fresh.waitClosed(),
        echo.waitClosed(),
      ]);
      expect(a.code).toBe(1001);
      expect(b.code).toBe(1001);
      expect(c.code).toBe(1001);
    } finally {
      if (!stopped) await server.stop();
    }
  });

  it('after app.close() the port refuses new connections', async () => {
    const server = await startServer();
    const url = server.wsUrl('/ws');
    await server.stop();
    await expect(RawClient.connect(url, { timeoutMs: 1000 })).rejects.toThrow();
  });

  it('while it waits for clients to close, a new upgrade is refused with 503', async () => {
    const server = await startServer({ SHUTDOWN_GRACE_MS: 3000 });
    const url = server.wsUrl('/ws');
    // A client that reads nothing more keeps the shutdown waiting for its closing handshake.
    const lingering = await RawClient.connect(url);
    await lingering.hello('lingering');
    lingering.socket.pause();
    const stopping = server.stop();
    try {
      await expect.poll(() => RawClient.refusedStatus(url, { timeoutMs: 1000 })).toBe(503);
    } finally {
      lingering.socket.resume();
      await stopping;
    }
  });
});
