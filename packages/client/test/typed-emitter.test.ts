import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../src/index.js';

type Events = { count: number; word: string };

describe('TypedEmitter', () => {
  it('calls the listeners of an event with its value, in subscription order', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    emitter.on('count', (value) => calls.push(`a${value}`));
    emitter.on('count', (value) => calls.push(`b${value}`));
    emitter.on('word', (value) => calls.push(value));
    emitter.emit('count', 1);
    expect(calls).toEqual(['a1', 'b1']);
  });

  it('unsubscribes only the subscription it was returned for', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: number[] = [];
    const listener = (value: number) => calls.push(value);
    const first = emitter.on('count', listener);
    emitter.on('count', listener);
    first();
    first();
    emitter.emit('count', 7);
    expect(calls).toEqual([7]);
    expect(emitter.listenerCount('count')).toBe(1);
  });

  it('reports a throwing listener and still calls the rest', () => {
    const reported: unknown[] = [];
    const emitter = new TypedEmitter<Events>((error) => reported.push(error));
    const calls: number[] = [];
    emitter.on('count', () => {
      throw new Error('bad');
    });
    emitter.on('count', (value) => calls.push(value));
    expect(() => emitter.emit('count', 3)).not.toThrow();
    expect(calls).toEqual([3]);
    expect(reported).toEqual([new Error('bad')]);
  });

  it('tolerates unsubscribing during an emit', () => {
    const emitter = new TypedEmitter<Events>();
    const calls: string[] = [];
    const off = emitter.on('word', (value) => {
      calls.push(`first ${value}`);
      off();
    });
    emitter.on('word', (value) => calls.push(`second ${value}`));
    emitter.emit('word', 'x');
    emitter.emit('word', 'y');
    expect(calls).toEqual(['first x', 'second x', 'second y']);
  });
});
