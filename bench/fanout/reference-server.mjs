// The reference for the fan-out benchmark: a bare `ws` broadcast server, no framework, no
// persistence, no validation beyond JSON.parse. It speaks just enough of Duplex's protocol
// (hello, room.join, chat.send) for the same load generator to drive it, and broadcasts a frame
// shaped like Duplex's `chat.message`, serialised once per message, so receivers parse the same
// thing. It is the floor the real api is compared against, not a server anyone should run.
//
// Env: PORT (required), HOST (default 127.0.0.1).
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const port = Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port <= 0) {
  console.error('reference-server: PORT is required');
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

// Same transport settings as the api: 64 KiB frames, no compression.
const wss = new WebSocketServer({
  server: http,
  path: '/ws',
  maxPayload: 64 * 1024,
  perMessageDeflate: false,
});

/** room -> Set<WebSocket> */
const rooms = new Map();
/** room -> last seq */
const seqs = new Map();

wss.on('connection', (socket) => {
  const user = { userId: randomUUID(), name: 'anonymous' };
  const joined = new Set();

  const reply = (id, data) => {
    if (id !== undefined) socket.send(JSON.stringify({ event: 'ack', id, data }));
  };

  socket.on('message', (raw) => {
    let frame;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      socket.send('{"event":"error","data":{"code":"bad_json","message":"not JSON"}}');
      return;
    }
    const data = frame?.data ?? {};
    switch (frame?.event) {
      case 'hello':
        if (typeof data.name === 'string') user.name = data.name;
        reply(frame.id, {
          userId: user.userId,
          name: user.name,
          resume: '',
          iceServers: [],
          limits: { maxFrameBytes: 65536, messagesPerSecond: 1e6, burst: 1e6, maxTextChars: 4000 },
          serverTime: new Date().toISOString(),
        });
        return;
      case 'room.join': {
        const room = String(data.room);
        let members = rooms.get(room);
        if (!members) rooms.set(room, (members = new Set()));
        members.add(socket);
        joined.add(room);
        reply(frame.id, {
          room,
          members: [],
          history: [],
          lastSeq: seqs.get(room) ?? 0,
          recovered: false,
        });
        return;
      }
      case 'chat.send': {
        const room = String(data.room);
        const members = rooms.get(room);
        if (!members || !joined.has(room)) return;
        const seq = (seqs.get(room) ?? 0) + 1;
        seqs.set(room, seq);
        const ts = new Date().toISOString();
        reply(frame.id, { seq, ts });
        const text = JSON.stringify({
          event: 'chat.message',
          data: { room, seq, clientId: data.clientId, from: user, text: data.text, ts },
        });
        for (const member of members) if (member.readyState === 1) member.send(text);
        return;
      }
      default:
        reply(frame?.id, {});
    }
  });

  socket.on('close', () => {
    for (const room of joined) {
      const members = rooms.get(room);
      members?.delete(socket);
      if (members?.size === 0) rooms.delete(room);
    }
  });
  socket.on('error', () => {});
});

http.listen(port, host, () => {
  console.log(`reference-server listening on ${host}:${port}`);
});

const stop = () => {
  for (const socket of wss.clients) socket.terminate();
  wss.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
