import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { RawClient } from './support/raw-client.js';

const ALLOWED = 'https://app.duplex.test';
const ALSO_ALLOWED = 'http://localhost:3000';

const clients: RawClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function open(server: TestServer, path: string, origin?: string): Promise<RawClient> {
  const client = await RawClient.connect(
    server.wsUrl(path),
    origin === undefined ? {} : { origin },
  );
  clients.push(client);
  return client;
}

describe.each(['/ws', '/ws/echo'])('origin check on %s', (path) => {
  describe('with ALLOWED_ORIGINS set', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ ALLOWED_ORIGINS: ` ${ALLOWED} , ${ALSO_ALLOWED} ` });
    });
    afterAll(async () => {
      await server.stop();
    });

    it.each([
      'https://evil.test',
      'null',
      'https://app.duplex.test.evil.test',
      'http://app.duplex.test',
      'https://app.duplex.test:443',
      'http://localhost:3001',
    ])('refuses Origin %s with HTTP 403', async (origin) => {
      expect(await RawClient.refusedStatus(server.wsUrl(path), { origin })).toBe(403);
    });

    it.each([ALLOWED, ALSO_ALLOWED])('opens for the allowed Origin %s', async (origin) => {
      const client = await open(server, path, origin);
      expect(client.isOpen).toBe(true);
      await expectWorks(client, path);
    });

    it('opens without an Origin header (non-browser client)', async () => {
      const client = await open(server, path);
      expect(client.isOpen).toBe(true);
      await expectWorks(client, path);
    });
  });

  describe("with ALLOWED_ORIGINS=''", () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ ALLOWED_ORIGINS: '' });
    });
    afterAll(async () => {
      await server.stop();
    });

    it.each(['http://localhost:3000', 'http://127.0.0.1:3000', 'https://evil.test'])(
      'refuses every browser origin (%s) with HTTP 403',
      async (origin) => {
        expect(await RawClient.refusedStatus(server.wsUrl(path), { origin })).toBe(403);
      },
    );

    it('still allows clients without an Origin', async () => {
      const client = await open(server, path);
      await expectWorks(client, path);
    });
  });
});

async function expectWorks(client: RawClient, path: string): Promise<void> {
  if (path === '/ws') {
    await client.expectUsable();
  } else {
    client.send('echo?');
    expect((await client.nextRaw()).data.toString()).toBe('echo?');
  }
}
