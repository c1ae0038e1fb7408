import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { RawClient } from './support/raw-client.js';

let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ HELLO_TIMEOUT_MS: 300 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function echo(): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl('/ws/echo'));
  clients.push(client);
  return client;
}

describe('/ws/echo', () => {
  it('text stays text, with identical UTF-8 content (emoji included)', async () => {
    const client = await echo();
    const text = 'héllo 👋🏽 wörld — 漢字 \u0000 "quoted" {not json';
    client.send(text);
    const message = await client.nextRaw();
    expect(message.isBinary).toBe(false);
    expect(message.data.equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(message.data.toString('utf8')).toBe(text);
  });

  it('JSON text is echoed unchanged, with no envelope', async () => {
    const client = await echo();
    const text = '{"event":"ping","data":{},"id":"1"}';
    client.send(text);
    const message = await client.nextRaw();
    expect(message.isBinary).toBe(false);
    expect(message.data.toString('utf8')).toBe(text);
    await client.expectNoFrame(200);
  });

  it('binary stays binary, with identical bytes', async () => {
    const client = await echo();
    const bytes = randomBytes(1000);
    client.send(bytes);
    const message = await client.nextRaw();
    expect(message.isBinary).toBe(true);
    expect(message.data.length).toBe(1000);
    expect(message.data.equals(bytes)).toBe(true);
  });

  it('an empty text frame and an empty binary frame come back as such', async () => {
    const client = await echo();
    client.send('');
    client.send(Buffer.alloc(0));
    const text = await client.nextRaw();
    const binary = await client.nextRaw();
    expect(text).toMatchObject({ isBinary: false });
    expect(text.data.length).toBe(0);
    expect(binary).toMatchObject({ isBinary: true });
    expect(binary.data.length).toBe(0);
  });

  it('several frames keep their order and opcodes', async () => {
    const client = await echo();
    const sent: { data: Buffer; isBinary: boolean }[] = [];
    for (let i = 0; i < 50; i++) {
      const isBinary = i % 3 === 0;
      const data = isBinary ? randomBytes(1 + i) : Buffer.from(`frame ${i} ✓`, 'utf8');
      sent.push({ data, isBinary });
      client.send(isBinary ? data : data.toString('utf8'));
    }
    for (const expected of sent) {
      const message = await client.nextRaw();
      expect(message.isBinary).toBe(expected.isBinary);
      expect(message.data.equals(expected.data)).toBe(true);
    }
  });

  it('needs no hello: the hello timeout of /ws does not apply', async () => {
    const client = await echo();
    await client.expectNoFrame(600);
    expect(client.isOpen).toBe(true);
    client.send('still here');
    expect((await client.nextRaw()).data.toString()).toBe('still here');
  });

  it('echoes only to the sender', async () => {
    const a = await echo();
    const b = await echo();
    a.send('for a');
    expect((await a.nextRaw()).data.toString()).toBe('for a');
    await b.expectNoFrame(200);
  });
});
