import { createHmac } from 'node:crypto';

export interface TurnCredentials {
  username: string;
  credential: string;
}

/**
 * TURN REST credentials (draft-uberti-behave-turn-rest): `username` is
 * "<unix expiry seconds>:<userId>", `credential` is base64(HMAC-SHA1(secret, username)).
 */
export function turnCredentials(
  secret: string,
  userId: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): TurnCredentials {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { username, credential };
}
