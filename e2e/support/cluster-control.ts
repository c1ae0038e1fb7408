/**
 * The cluster's api instances, owned by the Playwright runner process (global setup), and a
 * small HTTP endpoint on loopback through which specs list, stop, kill and start them: a
 * worker's children die with the worker, and Playwright starts a new worker after every failed
 * test (see ./shared-api.ts for the same reason with one api). ./cluster-api.ts is the specs'
 * side.
 *
 *   GET  /instances               → [{index, port, url, metricsUrl, pid, running, exit}]
 *   GET  /instances/<i>/output    → the instance's last output lines (text)
 *   POST /instances/<i>/stop      → SIGTERM, resolves once it exited (SIGKILL after 15 s)
 *   POST /instances/<i>/kill      → SIGKILL, resolves once it exited
 *   POST /instances/<i>/start     → starts it again on its port; resolves once /ready answers
 *   POST /ensure                  → starts every instance that is not running; resolves once
 *                                   every instance answers /ready
 *
 * An instance a spec killed itself (`process.kill(pid, 'SIGKILL')`) shows as not running as
 * soon as the runner saw it exit.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LOOPBACK,
  startApi,
  waitUntilServing,
  type RunningServer,
  type StartApiOptions,
} from './servers.js';

/** SIGTERM closes sockets within SHUTDOWN_GRACE_MS (2 s), then the stores: 15 s is plenty. */
const STOP_TIMEOUT_MS = 15_000;

export interface InstanceInfo {
  index: number;
  port: number;
  /** `http://127.0.0.1:<port>`: the instance itself, not through nginx. */
  url: string;
  metricsUrl: string;
  /** The running process's pid, or null when the instance is not running. */
  pid: number | null;
  running: boolean;
  /** How the last process of this instance exited (`signal SIGKILL`, `code 0`), if it did. */
  exit: string | null;
}

interface Instance {
  readonly index: number;
  readonly options: StartApiOptions;
  server: RunningServer | null;
  exit: string | null;
}

export interface ClusterControl {
  readonly url: string;
  /** Every instance's current process (null where none runs), in instance order. */
  servers(): (RunningServer | null)[];
  list(): InstanceInfo[];
  close(): Promise<void>;
}

function isRunning(server: RunningServer | null): server is RunningServer {
  return server !== null && server.child.exitCode === null && server.child.signalCode === null;
}

/** Starts an api instance with `options` and waits until it is ready (PostgreSQL and Redis reachable). */
export async function startReadyInstance(options: StartApiOptions): Promise<RunningServer> {
  const server = await startApi(options);
  await waitUntilServing(server, `${server.url}/ready`);
  return server;
}

export async function startClusterControl(
  initial: readonly RunningServer[],
  options: readonly StartApiOptions[],
): Promise<ClusterControl> {
  const instances: Instance[] = options.map((instanceOptions, index) => ({
    index,
    options: instanceOptions,
    server: null,
    exit: null,
  }));
  const adopt = (instance: Instance, server: RunningServer) => {
    instance.server = server;
    instance.exit = null;
    void server.exited.then((how) => {
      if (instance.server === server) instance.exit = how;
    });
  };
  initial.forEach((server, index) => adopt(instances[index]!, server));

  const info = (instance: Instance): InstanceInfo => {
    const url = `http://${LOOPBACK}:${instance.options.port}`;
    const running = isRunning(instance.server);
    return {
      index: instance.index,
      port: instance.options.port,
      url,
      metricsUrl: `${url}/metrics`,
      pid: running ? instance.server!.pid : null,
      running,
      exit: running ? null : instance.exit,
    };
  };

  // One operation at a time, in the order asked.
  let queue: Promise<unknown> = Promise.resolve();
  const serialize = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation, operation);
    queue = next.catch(() => {});
    return next;
  };

  const start = async (instance: Instance) => {
    if (isRunning(instance.server)) {
      await waitUntilServing(instance.server, `${instance.server.url}/ready`);
      return;
    }
    adopt(instance, await startReadyInstance(instance.options));
  };

  const operations: Record<string, (instance: Instance) => Promise<void>> = {
    stop: async (instance) => {
      const server = instance.server;
      if (!isRunning(server)) return;
      // Not servers.ts's stop() (SIGKILL after 5 s): a graceful stop on busy cores may take
      // longer, and a SIGKILL would turn the spec's rolling restart into crashes.
      server.child.kill('SIGTERM');
      const timer = setTimeout(() => server.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await server.exited;
      clearTimeout(timer);
    },
    kill: async (instance) => {
      const server = instance.server;
      if (!isRunning(server)) return;
      server.child.kill('SIGKILL');
      await server.exited;
    },
    start,
  };

  const server: Server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      response.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
      });
      response.end(text);
    };
    request.resume();
    request.on('end', () => {
      const run = async (): Promise<void> => {
        const path = request.url ?? '';
        if (request.method === 'GET' && path === '/instances')
          return reply(200, instances.map(info));
        const output = /^\/instances\/(\d+)\/output$/.exec(path);
        if (request.method === 'GET' && output) {
          const instance = instances[Number(output[1])];
          if (!instance) return reply(404, { error: `no instance ${output[1]}` });
          return reply(200, instance.server?.outputTail() || '(no output)');
        }
        if (request.method !== 'POST') return reply(405, { error: 'GET /instances or POST' });
        if (path === '/ensure') {
          await serialize(() => Promise.all(instances.map(start)));
          return reply(200, instances.map(info));
        }
        const match = /^\/instances\/(\d+)\/(stop|kill|start)$/.exec(path);
        const instance = match ? instances[Number(match[1])] : undefined;
        if (!match || !instance) return reply(404, { error: `no such control path: ${path}` });
        await serialize(() => operations[match[2]!]!(instance));
        return reply(200, info(instance));
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
    servers: () => instances.map((instance) => instance.server),
    list: () => instances.map(info),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
