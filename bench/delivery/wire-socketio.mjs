// Socket.IO v5 over Engine.IO v4, websocket transport only, written by hand so the generator's
// cost is the same kind as for the other servers (one text frame per packet, no parser):
//
//   server `0{"sid",...}` (open) · client `40{auth}` · server `40{"sid"}` (connected)
//   client `42<id>["event",data]` · server `43<id>[reply]` · server `42["event",data]`
//   server `2` (ping) · client `3` (pong)
const CHAR_0 = 0x30;

export const socketIoWire = {
  name: 'socketio',
  path: '/socket.io/?EIO=4&transport=websocket',

  encodeRequest(id, event, data) {
    return `42${id}${JSON.stringify([event, data])}`;
  },

  decodeControl(buf) {
    if (buf.length === 1 && buf[0] === CHAR_0 + 2) return { kind: 'ping', reply: '3' };
    if (buf[0] === CHAR_0) return { kind: 'open', data: JSON.parse(buf.toString('utf8', 1)) };
    if (buf[0] !== CHAR_0 + 4) return { kind: 'other' };
    const type = buf[1] - CHAR_0;
    if (type === 0) return { kind: 'connected', data: JSON.parse(buf.toString('utf8', 2) || '{}') };
    if (type === 4) return { kind: 'connect-error', data: buf.toString('utf8', 2) };
    if (type === 3) {
      const text = buf.toString('utf8', 2);
      const open = text.indexOf('[');
      const [reply] = JSON.parse(text.slice(open));
      const id = Number(text.slice(0, open));
      if (reply && reply.error) return { kind: 'reply', id, error: reply.error };
      return { kind: 'reply', id, data: reply };
    }
    return { kind: 'other' };
  },

  /** Waits for the Engine.IO open packet, connects to the main namespace with `auth.name`. */
  async handshake(connection, { name }) {
    await connection.expect('open');
    connection.ws.send(`40${JSON.stringify({ name })}`);
    const connected = await connection.expect('connected');
    return { userId: connected.sid, name };
  },
};
