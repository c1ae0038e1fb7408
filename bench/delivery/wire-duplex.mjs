// Duplex's envelope (docs/PROTOCOL.md), spoken by the api and by the bare `ws` reference:
// `{"event","id","data"}` requests on `/ws`, answered by `ack` or `error` with the same id.
export const duplexWire = {
  name: 'duplex',
  path: '/ws',

  encodeRequest(id, event, data) {
    return JSON.stringify({ event, id: String(id), data });
  },

  /** A frame that is not a chat.message: a reply to a request, or something to ignore. */
  decodeControl(buf) {
    const frame = JSON.parse(buf.toString());
    if (frame.id === undefined) return { kind: 'other', event: frame.event, data: frame.data };
    const id = Number(frame.id);
    if (frame.event === 'ack') return { kind: 'reply', id, data: frame.data };
    return { kind: 'reply', id, error: frame.data ?? { code: 'unknown' } };
  },

  /** `hello`, with the identity and resume token of an earlier session when given. */
  async handshake(connection, { name, identity, resume }) {
    const data = { protocol: 1, name };
    if (identity) data.identity = identity;
    if (resume) data.resume = resume;
    return connection.request('hello', data);
  },
};
