/**
 * The bare pair's signalling server: a plain `ws` server that hands every text frame from one
 * socket to the other sockets on the same path. No protocol, no validation, no acks, no
 * storage: the least any two browsers need to set a call up, as the bare `ws` server is for
 * chat deliveries (bench/delivery). It also serves the pair's empty page: a page Playwright
 * makes up (page.route) has no address, so Chromium's local network access rules would keep
 * it from opening a socket to loopback.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface BareSignalling {
  /** http://host:port: the pair's page at `/`, its sockets at `ws://host:port/<path>`. */
  url: string;
  stop(): Promise<void>;
}

export async function startBareSignalling(host: string): Promise<BareSignalling> {
  const http = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end('<!doctype html><title>bare pair</title><body></body>');
  });
  const server = new WebSocketServer({ server: http });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, host, resolve);
  });
  const peers = new Map<string, Set<WebSocket>>();
  server.on('connection', (socket, request) => {
    const path = request.url ?? '/';
    const group = peers.get(path) ?? new Set<WebSocket>();
    peers.set(path, group.add(socket));
    socket.on('message', (data, isBinary) => {
      for (const other of group) if (other !== socket) other.send(data, { binary: isBinary });
    });
    socket.on('close', () => group.delete(socket));
  });
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close();
        http.close(() => resolve());
      }),
  };
}
