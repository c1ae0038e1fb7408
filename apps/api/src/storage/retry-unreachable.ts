import { setTimeout as sleep } from 'node:timers/promises';
import type { AppLogger } from '../logging/logger.js';

/**
 * SQLSTATE classes of a server that is there but cannot serve yet: connection exceptions (08),
 * insufficient resources such as too many connections (53), and a server starting or stopping
 * (57). Every other SQLSTATE (a wrong password, a missing database) will not change by waiting.
 */
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '57']);
const SQLSTATE = /^[0-9A-Z]{5}$/;

/** Whether `error` says the database could not be reached, rather than that it refused the work. */
export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SQLSTATE.test(code)) {
    return TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2));
  }
  // Socket errors (ECONNREFUSED, ENOTFOUND, ...), connect timeouts, connections cut short.
  return true;
}

export interface RetryOptions {
  /** Give up once this long has passed since the first try. */
  deadlineMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  logger: AppLogger;
  /** What is being tried, for the log. */
  what: string;
}

/**
 * Runs `attempt` until it succeeds, retrying with doubling delays while the database is
 * unreachable and the deadline has not passed; any other failure is thrown at once.
 */
export async function retryWhileUnreachable<T>(
  attempt: () => Promise<T>,
  { deadlineMs, firstDelayMs = 250, maxDelayMs = 4_000, logger, what }: RetryOptions,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let tries = 1, delay = firstDelayMs; ; tries++, delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await attempt();
    } catch (error) {
      const remaining = deadline - Date.now();
      if (!isUnreachable(error) || remaining <= 0) throw error;
      const wait = Math.min(delay, remaining);
      logger.warn(
        { attempt: tries, retryInMs: wait, error: (error as Error).message },
        `${what}: database unreachable, retrying`,
      );
      await sleep(wait);
    }
  }
}
