import { describe, expect, it } from 'vitest';
import { randomFillSync } from 'node:crypto';
import { ResumeTokens } from '../src/session/resume-tokens.js';

describe('ResumeTokens', () => {
  it('draws 128 tokens from one call to the random source', () => {
    let fills = 0;
    const tokens = new ResumeTokens((buffer) => {
      fills++;
      randomFillSync(buffer);
    });
    const drawn = Array.from({ length: 1000 }, () => tokens.next());
    expect(fills).toBe(Math.ceil(1000 / 128));
    expect(new Set(drawn).size).toBe(1000);
  });

  it('gives the next 24 bytes of the pool per token, in base64url', () => {
    let counter = 0;
    const tokens = new ResumeTokens((buffer) => {
      for (let i = 0; i < buffer.length; i++) buffer[i] = counter++ % 256;
    });
    const first = tokens.next();
    const second = tokens.next();
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect([...Buffer.from(first, 'base64url')]).toEqual(Array.from({ length: 24 }, (_, i) => i));
    expect([...Buffer.from(second, 'base64url')]).toEqual(
      Array.from({ length: 24 }, (_, i) => 24 + i),
    );
  });

  it('refills the pool once every token of it was given', () => {
    let fill = 0;
    const tokens = new ResumeTokens((buffer) => buffer.fill(++fill));
    const drawn = Array.from({ length: 129 }, () => tokens.next());
    expect(Buffer.from(drawn[127]!, 'base64url')[0]).toBe(1);
    expect(Buffer.from(drawn[128]!, 'base64url')[0]).toBe(2);
  });
});
