import { randomFillSync } from 'node:crypto';

const TOKEN_BYTES = 24;
/** Tokens drawn from one fill of the pool. */
const TOKENS_PER_FILL = 128;

/** Fills a buffer with cryptographically strong random bytes. */
export type RandomFill = (buffer: Buffer) => void;

/**
 * Resume tokens: 24 random bytes each, in base64url. They come from a pool filled for 128
 * tokens at a time, as `crypto.randomUUID` does, since a call to the random source costs far
 * more than the bytes it returns (a storm of reconnects asks for thousands at once).
 */
export class ResumeTokens {
  private readonly pool = Buffer.alloc(TOKEN_BYTES * TOKENS_PER_FILL);
  private used = TOKENS_PER_FILL;

  constructor(private readonly fill: RandomFill = (buffer) => randomFillSync(buffer)) {}

  next(): string {
    if (this.used === TOKENS_PER_FILL) {
      this.fill(this.pool);
      this.used = 0;
    }
    const start = this.used * TOKEN_BYTES;
    this.used += 1;
    return this.pool.toString('base64url', start, start + TOKEN_BYTES);
  }
}
