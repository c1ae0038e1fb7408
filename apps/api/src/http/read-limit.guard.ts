import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ErrorCode } from '@duplex/protocol';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TokenBucket } from '../ws/rate-limiter.js';

/** Buckets kept before the full ones (clients that went quiet) are forgotten. */
const PRUNE_ABOVE = 10_000;

/**
 * Limits the history and member reads of each client address (a token bucket per address):
 * reading history costs the store far more than asking for it costs a client. Over the limit:
 * 429 with `{code: "rate_limited", message}` and `Retry-After`.
 */
@Injectable()
export class ReadLimitGuard implements CanActivate {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const client = http.getRequest<{ ip?: string }>().ip ?? 'unknown';
    if (this.bucketOf(client).take()) return true;
    http
      .getResponse<{ setHeader(name: string, value: string): void }>()
      .setHeader('Retry-After', '1');
    throw new HttpException(
      { code: ErrorCode.RateLimited, message: 'Too many history requests; slow down' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }

  private bucketOf(client: string): TokenBucket {
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= PRUNE_ABOVE) this.pruneFull();
      bucket = new TokenBucket(this.config.httpReads);
      this.buckets.set(client, bucket);
    }
    return bucket;
  }

  private pruneFull(): void {
    for (const [client, bucket] of this.buckets) if (bucket.isFull) this.buckets.delete(client);
  }
}
