// The smoke check of a running local cluster, through nginx as a browser would use it.
// scripts/cluster.sh --check runs it; it reads the cluster from the environment:
//   CHECK_URL        nginx's URL, e.g. http://127.0.0.1:8080
//   CHECK_API_PORTS  the api instances' own ports, comma-separated (for their /metrics)
//   CHECK_TURN       1 when coturn runs: the hello ack must hand out TURN servers
//   CHECK_DEAD_PORT  (failover) the port of the instance that was killed
//
//   node scripts/cluster/check.mjs basic     everything answers, WebSockets spread over the
//                                            instances, chat crosses instances
//   node scripts/cluster/check.mjs failover  with one instance killed, nginx still serves
// Prints one line per check; exit code 1 when one failed.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

// `ws` from the api's dependencies: Node 20 has no WebSocket client without a flag.
const require = createRequire(new URL('../../apps/api/package.json', import.meta.url));
const WebSocket = require('ws');

const mode = process.argv[2] ?? 'basic';
const baseUrl = (process.env.CHECK_URL ?? '').replace(/\/+$/, '');
const apiPorts = (process.env.CHECK_API_PORTS ?? '').split(',').filter(Boolean).map(Number);
const deadPort = Number(process.env.CHECK_DEAD_PORT ?? 0);
const expectTurn = process.env.CHECK_TURN === '1';
if (!baseUrl || apiPorts.length === 0) {
  console.error('check.mjs: set CHECK_URL and CHECK_API_PORTS');
  process.exit(2);
}
const wsBase = baseUrl.replace(/^http/, 'ws');
const TIMEOUT_MS = 5000;

let failures = 0;
function ok(message) {
  console.log(`  ok    ${message}`);
}
function bad(message) {
  failures += 1;
  console.log(`  FAIL  ${message}`);
}
function check(condition, message, detail = '') {
  if (condition) ok(message);
  else bad(detail ? `${message}: ${detail}` : message);
  return condition;
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function get(path) {
  const response = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** Open /ws sockets of the instance on `port`, from its own /metrics; null when it does not answer. */
async function connectionsOf(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(2000),
    });
    const match = /^duplex_ws_connections\{endpoint="\/ws"\} (\d+)/m.exec(await response.text());
    return match ? Number(match[1]) : 0;
  } catch {
    return null;
  }
}
const allConnections = () => Promise.all(apiPorts.map(connectionsOf));

/** A WebSocket through nginx with the browser origin of the page, and its frames. */
function open(path) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${wsBase}${path}`, { headers: { Origin: baseUrl } });
    const frames = [];
    const waiters = new Set();
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? data : data.toString('utf8');
      let frame = text;
      try {
        frame = JSON.parse(text);
      } catch {
        // the echo endpoint answers with what was sent
      }
      frames.push(frame);
      for (const waiter of waiters) waiter();
    });
    const timer = setTimeout(
      () => reject(new Error(`no upgrade on ${path} within 5 s`)),
      TIMEOUT_MS,
    );
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      reject(new Error(`upgrade refused with HTTP ${response.statusCode}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('open', () => {
      clearTimeout(timer);
      const client = {
        socket,
        send: (frame) => socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
        /** The first frame (seen or still to come) that matches `predicate`. */
        waitFor(predicate, what) {
          return new Promise((resolveFrame, rejectFrame) => {
            const look = () => {
              const frame = frames.find(predicate);
              if (frame === undefined) return false;
              waiters.delete(look);
              clearTimeout(frameTimer);
              resolveFrame(frame);
              return true;
            };
            const frameTimer = setTimeout(() => {
              waiters.delete(look);
              rejectFrame(new Error(`no ${what} within 5 s`));
            }, TIMEOUT_MS);
            if (!look()) waiters.add(look);
          });
        },
        async request(event, data) {
          const id = randomUUID().slice(0, 8);
          client.send({ event, data, id });
          const reply = await client.waitFor(
            (frame) => typeof frame === 'object' && frame.id === id,
            `reply to ${event}`,
          );
          if (reply.event !== 'ack') throw new Error(`${event}: ${JSON.stringify(reply.data)}`);
          return reply.data;
        },
        close: () => socket.close(),
      };
      resolve(client);
    });
  });
}

const clients = [];
async function hello(name) {
  const client = await open('/ws');
  clients.push(client);
  client.ack = await client.request('hello', { protocol: 1, name });
  return client;
}

/**
 * Opens `count` sockets through nginx one after the other, each with a hello, and finds the
 * instance each landed on: the one whose duplex_ws_connections went up by one.
 */
async function spread(count, label) {
  const landed = [];
  for (let i = 0; i < count; i += 1) {
    const before = await allConnections();
    const client = await hello(`${label}-${i + 1}`);
    const after = await allConnections();
    const grew = apiPorts.flatMap((port, index) =>
      after[index] !== null && before[index] !== null && after[index] === before[index] + 1
        ? [index]
        : [],
    );
    client.instance = grew.length === 1 ? grew[0] : -1;
    landed.push(client.instance);
  }
  return landed;
}
const names = (landed) => landed.map((index) => (index < 0 ? '?' : `api-${index + 1}`)).join(' ');

async function basic() {
  const page = await get('/');
  check(page.status === 200, 'GET / (the web app) through nginx answers 200', `${page.status}`);
  check(
    page.text.includes(baseUrl),
    `the page hands the browser DUPLEX_API_URL=${baseUrl}`,
    'not in the HTML',
  );
  const rooms = await get('/api/rooms');
  let list = null;
  try {
    list = JSON.parse(rooms.text);
  } catch {
    // reported below
  }
  check(
    rooms.status === 200 && Array.isArray(list),
    `GET /api/rooms through nginx answers 200 with a list of rooms (${Array.isArray(list) ? list.length : '?'})`,
    `${rooms.status} ${rooms.text.slice(0, 200)}`,
  );
  // Plain requests first: nginx takes back an instance it marked failed (max_fails) once a
  // request to it has completed, and a WebSocket completes only when it closes.
  const readies = [];
  for (let i = 0; i < apiPorts.length * 2; i += 1) readies.push((await get('/ready')).status);
  check(
    readies.every((status) => status === 200),
    `${readies.length} GET /ready through nginx answer 200`,
    readies.join(' '),
  );
  const metrics = await get('/metrics');
  check(
    metrics.status === 403 || metrics.status === 404,
    `GET /metrics through nginx is refused (${metrics.status})`,
    `${metrics.status}`,
  );

  const direct = await allConnections();
  check(
    direct.every((value) => value !== null),
    `each instance's /metrics answers on its own port (${apiPorts.join(', ')})`,
    JSON.stringify(direct),
  );

  const count = apiPorts.length * 2;
  const landed = await spread(count, 'check');
  const first = clients[0];
  check(
    typeof first.ack.userId === 'string' && typeof first.ack.resume === 'string',
    `hello on /ws through nginx is acknowledged (userId ${first.ack.userId})`,
  );
  check(
    landed.every((index) => index >= 0),
    `each of ${count} successive WebSockets is counted by exactly one instance`,
    names(landed),
  );
  const alternate = landed.every((index, i) => i === 0 || index !== landed[i - 1]);
  const everyInstance = apiPorts.every((_port, index) => landed.includes(index));
  check(
    apiPorts.length === 1 || (alternate && everyInstance),
    `successive WebSockets land on different instances, every instance used: ${names(landed)}`,
    'round robin expected',
  );
  if (expectTurn) {
    const turn = (first.ack.iceServers ?? []).flatMap((server) => [server.urls ?? []].flat());
    check(
      turn.some((url) => url.startsWith('turn:')) &&
        typeof first.ack.iceServers[0].credential === 'string',
      `the hello ack hands out coturn with credentials (${turn.join(', ')})`,
      JSON.stringify(first.ack.iceServers),
    );
  }

  // A message sent through one instance reaches a member connected to another (Redis fan-out).
  const sender = clients.find((client) => client.instance >= 0);
  const receiver = clients.find(
    (client) => client.instance >= 0 && sender && client.instance !== sender.instance,
  );
  if (sender && receiver) {
    const room = `cluster-check-${randomUUID().slice(0, 8)}`;
    await receiver.request('room.join', { room });
    await sender.request('room.join', { room });
    const text = `hello across instances ${randomUUID()}`;
    const sent = await sender.request('chat.send', { room, clientId: randomUUID(), text });
    const message = await receiver
      .waitFor(
        (frame) => frame.event === 'chat.message' && frame.data?.text === text,
        'chat.message',
      )
      .catch(() => null);
    check(
      message !== null && message.data.seq === sent.seq,
      `chat.send on api-${sender.instance + 1} reaches a member on api-${receiver.instance + 1} (room ${room}, seq ${sent.seq})`,
      'not received',
    );
    const history = await get(`/api/rooms/${room}/messages`);
    check(
      history.status === 200 && history.text.includes(text),
      'the message is in the room history through /api (PostgreSQL)',
      `${history.status}`,
    );
  } else if (apiPorts.length > 1) {
    bad('no two sockets on different instances to send a message across');
  }

  const echo = await open('/ws/echo');
  const word = `echo-${randomUUID()}`;
  echo.send(word);
  const back = await echo.waitFor((frame) => frame === word, 'echo').catch(() => null);
  check(back === word, 'a text frame on /ws/echo through nginx comes back');
  echo.close();
}

async function failover() {
  const dead = apiPorts.indexOf(deadPort);
  const rooms = [];
  for (let i = 0; i < apiPorts.length * 2; i += 1) rooms.push((await get('/api/rooms')).status);
  check(
    rooms.every((status) => status === 200),
    `with api-${dead + 1} killed, ${rooms.length} GET /api/rooms through nginx all answer 200`,
    rooms.join(' '),
  );
  const landed = await spread(apiPorts.length * 2, 'failover');
  check(
    landed.length === apiPorts.length * 2 && landed.every((index) => index >= 0 && index !== dead),
    `with api-${dead + 1} killed, ${landed.length} WebSockets through nginx all connect, on the others: ${names(landed)}`,
    names(landed),
  );
}

try {
  if (mode === 'basic') await basic();
  else if (mode === 'failover') await failover();
  else throw new Error(`unknown mode ${mode}`);
} catch (error) {
  bad(`${mode}: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  for (const client of clients) client.close();
}
await sleep(100);
process.exit(failures === 0 ? 0 : 1);
