import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Pings every client of `server` each interval and terminates the ones that did not answer the
 * previous ping, so a peer that vanished without a close (a dead network) is noticed.
 */
export function startHeartbeat(server: WebSocketServer, intervalMs: number): () => void {
  const alive = new WeakSet<WebSocket>();
  server.on('connection', (socket: WebSocket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
  });
  const timer = setInterval(() => {
    for (const socket of server.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
