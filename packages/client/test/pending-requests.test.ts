import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRequests } from '../src/pending-requests.js';
import { ConnectionClosedError, RequestTimeoutError } from '../src/index.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PendingRequests', () => {
  it('lists unsent requests in insertion order and forgets settled ones', async () => {
    const pending = new PendingRequests();
    const a = pending.add({ event: 'ping', data: {}, id: 'a' }, 1_000);
    pending.add({ event: 'ice.refresh', data: {}, id: 'b' }, 1_000).catch(() => {});
    pending.add({ event: 'ping', data: {}, id: 'c' }, 1_000).catch(() => {});
    pending.markSent('b');
    expect(pending.unsent().map((frame) => frame.id)).toEqual(['a', 'c']);
    expect(pending.eventOf('b')).toBe('ice.refresh');

    expect(pending.resolve('a', { ok: true })).toBe(true);
    expect(pending.resolve('a', { ok: true })).toBe(false);
    await expect(a).resolves.toEqual({ ok: true });
    expect(pending.size).toBe(2);
  });

  it('rejectSent rejects only what was written; rejectAll the rest', async () => {
    const pending = new PendingRequests();
    const sent = pending.add({ event: 'ping', data: {}, id: 's' }, 1_000);
    const unsent = pending.add({ event: 'ping', data: {}, id: 'u' }, 1_000);
    pending.markSent('s');
    pending.rejectSent(new ConnectionClosedError());
    await expect(sent).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(pending.unsent().map((frame) => frame.id)).toEqual(['u']);
    pending.rejectAll(new ConnectionClosedError());
    await expect(unsent).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(pending.size).toBe(0);
  });

  it('times each request out on its own', async () => {
    const pending = new PendingRequests();
    const short = pending
      .add({ event: 'ping', data: {}, id: 'x' }, 100)
      .catch((error: unknown) => error);
    pending.add({ event: 'ping', data: {}, id: 'y' }, 200).catch(() => {});
    await vi.advanceTimersByTimeAsync(100);
    expect(await short).toBeInstanceOf(RequestTimeoutError);
    expect(pending.eventOf('x')).toBeUndefined();
    expect(pending.eventOf('y')).toBe('ping');
  });
});
