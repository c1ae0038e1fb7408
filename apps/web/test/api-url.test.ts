import { describe, expect, it } from 'vitest';
import {
  DEFAULT_API_PORT,
  ECHO_WS_PATH,
  WS_PATH,
  fallbackApiUrl,
  normalizeApiUrl,
  parseApiPort,
  toWebSocketUrl,
} from '@/lib/api-url';

describe('normalizeApiUrl', () => {
  it('keeps an http(s) URL without its trailing slashes', () => {
    expect(normalizeApiUrl('http://localhost:3001')).toBe('http://localhost:3001');
    expect(normalizeApiUrl('https://api.example.com/')).toBe('https://api.example.com');
    expect(normalizeApiUrl('https://example.com/duplex//')).toBe('https://example.com/duplex');
  });

  it('trims spaces and writes the origin the way URL does', () => {
    expect(normalizeApiUrl('  http://localhost:3001/ \n')).toBe('http://localhost:3001');
    expect(normalizeApiUrl('HTTPS://API.Example.COM:443/')).toBe('https://api.example.com');
    expect(normalizeApiUrl('http://[::1]:3001')).toBe('http://[::1]:3001');
  });

  it('drops a query, a fragment and credentials', () => {
    expect(normalizeApiUrl('https://example.com/api/?v=1#top')).toBe('https://example.com/api');
    expect(normalizeApiUrl('https://user:secret@example.com/')).toBe('https://example.com');
  });

  it('gives null for nothing, or for what is not an http(s) URL', () => {
    for (const value of [undefined, null, '', '   ', 'localhost:3001', 'not a url', '/api']) {
      expect(normalizeApiUrl(value), String(value)).toBeNull();
    }
    for (const value of ['ws://localhost:3001', 'ftp://example.com', 'file:///etc/passwd']) {
      expect(normalizeApiUrl(value), value).toBeNull();
    }
  });
});

describe('fallbackApiUrl', () => {
  it(`uses the page's host on port ${DEFAULT_API_PORT}`, () => {
    expect(DEFAULT_API_PORT).toBe(3001);
    expect(fallbackApiUrl({ protocol: 'http:', hostname: 'localhost' })).toBe(
      'http://localhost:3001',
    );
    expect(fallbackApiUrl({ protocol: 'https:', hostname: 'chat.example.com' })).toBe(
      'https://chat.example.com:3001',
    );
    expect(fallbackApiUrl({ protocol: 'http:', hostname: '[::1]' })).toBe('http://[::1]:3001');
  });

  it('uses another port when given one (API_PORT)', () => {
    expect(fallbackApiUrl({ protocol: 'http:', hostname: 'localhost' }, 4001)).toBe(
      'http://localhost:4001',
    );
  });
});

describe('parseApiPort', () => {
  it('takes a port number, trimmed', () => {
    expect(parseApiPort('4001')).toBe(4001);
    expect(parseApiPort(' 65535 ')).toBe(65_535);
    expect(parseApiPort('1')).toBe(1);
  });

  it('refuses anything else, so that the default applies', () => {
    for (const value of [undefined, null, '', ' ', '0', '65536', '-1', '30.5', '3001x', '0x10']) {
      expect(parseApiPort(value), String(value)).toBeNull();
    }
  });
});

describe('toWebSocketUrl', () => {
  it('turns http into ws and https into wss', () => {
    expect(toWebSocketUrl('http://localhost:3001', WS_PATH)).toBe('ws://localhost:3001/ws');
    expect(toWebSocketUrl('https://api.example.com', ECHO_WS_PATH)).toBe(
      'wss://api.example.com/ws/echo',
    );
  });

  it('puts the endpoint below the base path', () => {
    expect(toWebSocketUrl('https://example.com/duplex', WS_PATH)).toBe(
      'wss://example.com/duplex/ws',
    );
    expect(toWebSocketUrl('https://example.com/duplex/', ECHO_WS_PATH)).toBe(
      'wss://example.com/duplex/ws/echo',
    );
    expect(toWebSocketUrl('http://localhost:3001/', WS_PATH)).toBe('ws://localhost:3001/ws');
  });

  it('leaves no query or fragment', () => {
    expect(toWebSocketUrl('http://localhost:3001/?debug=1#x', WS_PATH)).toBe(
      'ws://localhost:3001/ws',
    );
  });

  it('uses the paths of the api', () => {
    expect(WS_PATH).toBe('/ws');
    expect(ECHO_WS_PATH).toBe('/ws/echo');
  });
});
