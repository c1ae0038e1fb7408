// The Socket.IO reference for the delivery benchmark: Socket.IO 4.8, websocket transport only,
// no compression, with the same semantics as the bare `ws` reference (bench/fanout/
// reference-server.mjs): join a room, `chat.send` with an ack, `chat.message` with a per-room
// seq broadcast to the room (serialised once per message by Socket.IO's broadcast). No
// persistence, no validation: a floor to compare against, not a server anyone should run.
//
// Env: PORT (required), HOST (default 127.0.0.1).
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port <= 0) {
  console.error('socketio-server: PORT is required');
  process.exit(2);
}

const http = createServer((req, res) => {
  if (req.url === '/health' || req.url === '/ready') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
    return;
  }
  res.writeHead(404);
  res.end();
});

const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  httpCompression: false,
  serveClient: false,
  maxHttpBufferSize: 64 * 1024,
});

/** room -> last seq */
const seqs = new Map();

io.on('connection', (socket) => {
  const user = {
    userId: socket.id,
    name:
      typeof socket.handshake.auth?.name === 'string' ? socket.handshake.auth.name : 'anonymous',
  };

  socket.on('room.join', (data, ack) => {
    const room = String(data?.room);
    socket.join(room);
    if (typeof ack === 'function') {
      ack({ room, members: [], history: [], lastSeq: seqs.get(room) ?? 0, recovered: false });
    }
  });

  socket.on('chat.send', (data, ack) => {
    const room = String(data?.room);
    if (!socket.rooms.has(room)) {
      if (typeof ack === 'function') ack({ error: { code: 'not_in_room' } });
      return;
    }
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    const ts = new Date().toISOString();
    if (typeof ack === 'function') ack({ seq, ts });
    io.to(room).emit('chat.message', {
      room,
      seq,
      clientId: data.clientId,
      from: user,
      text: data.text,
      ts,
    });
  });
});

http.listen(port, host, () => {
  console.log(`socketio-server listening on ${host}:${port}`);
});

const stop = () => {
  io.close();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
