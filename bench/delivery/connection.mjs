// One generator-side member connection: a RawWebSocket plus the request/reply bookkeeping of
// its wire (Duplex envelope or Socket.IO). Broadcast `chat.message` frames never reach JSON:
// they go, as bytes, to `onChatMessage`.
import { RawWebSocket } from './raw-ws.mjs';

const CHAT_MESSAGE = Buffer.from('"chat.message"');

export class Connection {
  /**
   * Connects and runs the wire's handshake; resolves with the connection and the hello result.
   * A resume token the server no longer knows (after a restart) is dropped and the hello sent
   * again on the same connection, as PROTOCOL.md allows.
   */
  static async open(host, port, wire, helloOptions, timeoutMs = 30_000) {
    const ws = await RawWebSocket.open(host, port, wire.path, timeoutMs);
    const connection = new Connection(ws, wire, timeoutMs);
    try {
      connection.hello = await wire
        .handshake(connection, helloOptions)
        .catch((error) =>
          error.code === 'resume_expired' && helloOptions.resume
            ? wire.handshake(connection, { ...helloOptions, resume: undefined })
            : Promise.reject(error),
        );
    } catch (error) {
      ws.destroy();
      throw error;
    }
    return connection;
  }

  /** (buf) => void, for every chat.message frame. */
  onChatMessage = () => {};
  onClose = () => {};
  hello = null;

  #nextId = 1;
  #replies = new Map(); // id -> (error, data) => void
  #expected = new Map(); // control kind -> resolve
  #early = new Map(); // control kind -> data that came before anyone expected it

  constructor(ws, wire, timeoutMs) {
    this.ws = ws;
    this.wire = wire;
    this.timeoutMs = timeoutMs;
    ws.onText = (buf) => this.#onText(buf);
    ws.onClose = (code) => {
      for (const done of this.#replies.values()) done({ code: `closed ${code}` });
      this.#replies.clear();
      this.onClose(code);
    };
  }

  /** A request whose reply is awaited (set-up traffic); rejects on error or after the timeout. */
  request(event, data) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#replies.delete(id);
        reject(new Error(`${event} timed out`));
      }, this.timeoutMs);
      const id = this.post(event, data, (error, reply) => {
        clearTimeout(timer);
        if (error) reject(Object.assign(new Error(`${event}: ${JSON.stringify(error)}`), error));
        else resolve(reply);
      });
    });
  }

  /** A request whose reply goes to `done(error, data)`, without a timer (measured traffic). */
  post(event, data, done) {
    const id = this.#nextId++;
    this.#replies.set(id, done);
    if (!this.ws.send(this.wire.encodeRequest(id, event, data))) {
      this.#replies.delete(id);
      done({ code: 'not open' });
    }
    return id;
  }

  /** Resolves with the data of the next control frame of `kind` (handshake steps). */
  expect(kind) {
    if (this.#early.has(kind)) {
      const data = this.#early.get(kind);
      this.#early.delete(kind);
      return Promise.resolve(data);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${kind} in time`)), this.timeoutMs);
      this.#expected.set(kind, (data) => {
        clearTimeout(timer);
        resolve(data);
      });
    });
  }

  close() {
    this.ws.close();
  }

  #onText(buf) {
    if (buf.indexOf(CHAT_MESSAGE) >= 0) {
      this.onChatMessage(buf);
      return;
    }
    const control = this.wire.decodeControl(buf);
    if (control.kind === 'reply') {
      const done = this.#replies.get(control.id);
      if (!done) return;
      this.#replies.delete(control.id);
      done(control.error, control.data);
    } else if (control.kind === 'ping') {
      this.ws.send(control.reply);
    } else if (control.kind === 'connect-error') {
      this.ws.destroy();
    } else {
      const resolve = this.#expected.get(control.kind);
      if (resolve) {
        this.#expected.delete(control.kind);
        resolve(control.data);
      } else if (control.kind === 'open' || control.kind === 'connected') {
        this.#early.set(control.kind, control.data);
      }
    }
  }
}
