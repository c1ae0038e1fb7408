import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * Issues and checks identities: `<userId>.<signature>`, an HMAC of the user id with the
 * deployment's secret. Stateless: any instance with the secret recognises the user, after any
 * restart, without a look-up. A forged or stale identity is not an error, only a new user.
 */
export class IdentityService {
  constructor(private readonly secret: string) {}

  /** A new user's id. */
  newUserId(): string {
    return randomUUID();
  }

  sign(userId: string): string {
    return `${userId}.${this.signature(userId)}`;
  }

  /** The user id an identity stands for, or `undefined` when it is absent or not valid. */
  verify(identity: string | undefined): string | undefined {
    if (identity === undefined) return undefined;
    const dot = identity.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const userId = identity.slice(0, dot);
    const presented = Buffer.from(identity.slice(dot + 1));
    const expected = Buffer.from(this.signature(userId));
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      return undefined;
    }
    return userId;
  }

  private signature(userId: string): string {
    return createHmac('sha256', this.secret)
      .update(`duplex identity v1\n${userId}`)
      .digest('base64url');
  }
}
