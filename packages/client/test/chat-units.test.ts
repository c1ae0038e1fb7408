import { describe, expect, it, vi } from 'vitest';
import { contiguousSeq, mergeMessages } from '../src/message-log.js';
import { Outbox } from '../src/outbox.js';
import { createClientId } from '../src/index.js';
import { chatMessage, seqs } from './chat-helpers.js';

describe('mergeMessages', () => {
  it('sorts by seq, keeps one per seq (the incoming copy), and returns the same array when nothing changed', () => {
    const held = [chatMessage(2), chatMessage(4)];
    const merged = mergeMessages(held, [
      chatMessage(3),
      chatMessage(1),
      chatMessage(4, { text: 'server copy' }),
    ]);
    expect(seqs(merged)).toEqual([1, 2, 3, 4]);
    expect(merged[3]).toMatchObject({ text: 'server copy' });
    expect(mergeMessages(merged, [chatMessage(1), chatMessage(3)])).toBe(merged);
    expect(mergeMessages(merged, [])).toBe(merged);
  });
});

describe('contiguousSeq', () => {
  it('advances through consecutive seqs only', () => {
    expect(contiguousSeq(0, [chatMessage(1), chatMessage(2), chatMessage(4)])).toBe(2);
    expect(contiguousSeq(5, [chatMessage(1), chatMessage(6), chatMessage(7)])).toBe(7);
    expect(contiguousSeq(5, [chatMessage(7)])).toBe(5);
  });

  it('passes over skipped seqs (messages of a kind not shown) as if held', () => {
    const skipped = new Set([3, 6]);
    expect(contiguousSeq(0, [chatMessage(1), chatMessage(2), chatMessage(4)], skipped)).toBe(4);
    expect(contiguousSeq(2, [chatMessage(5)], skipped)).toBe(3);
    expect(contiguousSeq(5, [], skipped)).toBe(6);
  });
});

describe('Outbox', () => {
  it('keeps order, sends queued entries only, and replaces entries on change', () => {
    const outbox = new Outbox();
    const a = outbox.add('lobby', 'a', 'one');
    outbox.add('other', 'b', 'two');
    outbox.add('lobby', 'c', 'three');
    expect(outbox.markSending('a')).toBe(true);
    expect(outbox.markSending('a')).toBe(false);
    expect(outbox.get('a')).not.toBe(a);
    expect(outbox.sendable().map((entry) => entry.clientId)).toEqual(['b', 'c']);
    expect(outbox.fail('c', 'not_in_room')).toBe(true);
    expect(outbox.sendable().map((entry) => entry.clientId)).toEqual(['b']);
    expect(outbox.forRoom('lobby')).toEqual([
      { room: 'lobby', clientId: 'a', text: 'one', status: 'sending' },
      { room: 'lobby', clientId: 'c', text: 'three', status: 'failed', error: 'not_in_room' },
    ]);
    expect(outbox.requeue('a')).toBe(true);
    expect(outbox.requeue('c')).toBe(true);
    expect(outbox.get('c')).toEqual({
      room: 'lobby',
      clientId: 'c',
      text: 'three',
      status: 'queued',
    });
    expect(outbox.sendable().map((entry) => entry.clientId)).toEqual(['a', 'b', 'c']);
    outbox.removeRoom('lobby');
    expect(outbox.remove('b')?.text).toBe('two');
    expect(outbox.remove('b')).toBeUndefined();
    expect(outbox.sendable()).toEqual([]);
  });
});

describe('createClientId', () => {
  it('uses crypto.randomUUID where available, else a random hex id within 64 characters', () => {
    expect(createClientId()).toMatch(/^[0-9a-f-]{36}$/);
    vi.stubGlobal('crypto', { getRandomValues: (bytes: Uint8Array) => bytes.fill(171) });
    expect(createClientId()).toBe(`c-${'ab'.repeat(16)}`);
    vi.stubGlobal('crypto', undefined);
    const fallback = createClientId();
    expect(fallback).toMatch(/^c-[0-9a-f]{32}$/);
    expect(createClientId()).not.toBe(fallback);
    vi.unstubAllGlobals();
  });
});
