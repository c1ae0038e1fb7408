/**
 * A small HTTP endpoint on loopback, run by global setup in the Playwright runner process, that
 * stops and starts the shared api there (see ./shared-api.ts for why not in a worker).
 * POST /api/stop → `null` once stopped; POST /api/start `{env?}` → `{url, pid}` once serving.
 * A restarted api gets `options.env` (e.g. TURN_URLS, TURN_SECRET, RESUME_GRACE_MS from global
 * setup) with the request's `env` over it, so it keeps the settings the first one had.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOOPBACK, startApi, type RunningServer, type StartApiOptions } from './servers.js';

export interface ApiControl {
  readonly url: string;
  /** The api running now, if any. */
  current(): RunningServer | null;
  close(): Promise<void>;
}

export async function startApiControl(
  initial: RunningServer,
  options: StartApiOptions,
): Promise<ApiControl> {
  let api: RunningServer | null = initial;
  // One operation at a time, in the order asked.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation, operation);
    queue = next.catch(() => {});
    return next;
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const run = async (): Promise<unknown> => {
        if (request.method !== 'POST') return reply(405, { error: 'POST only' });
        if (request.url === '/api/stop') {
          await serialize(async () => {
            await api?.stop();
            api = null;
          });
          return reply(200, null);
        }
        if (request.url === '/api/start') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
            env?: Record<string, string>;
          };
          const started = await serialize(async () => {
            await api?.stop();
            api = await startApi({ ...options, env: { ...options.env, ...body.env } });
            return api;
          });
          return reply(200, { url: started.url, pid: started.pid });
        }
        return reply(404, { error: `no such control path: ${request.url}` });
      };
      run().catch((error: unknown) =>
        reply(500, { error: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${LOOPBACK}:${port}`,
    current: () => api,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
