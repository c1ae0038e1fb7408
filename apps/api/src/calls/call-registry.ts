import { Injectable } from '@nestjs/common';
import type { Call } from './call.js';

/** Live calls of this instance, by id and by user: a user is in at most one call. */
@Injectable()
export class CallRegistry {
  private readonly byId = new Map<string, Call>();
  private readonly callIdByUserId = new Map<string, string>();

  /** Adds a new call, or replaces the state of one already kept. */
  save(call: Call): void {
    this.byId.set(call.callId, call);
    this.callIdByUserId.set(call.caller.userId, call.callId);
    this.callIdByUserId.set(call.callee.userId, call.callId);
  }

  remove(call: Call): void {
    this.byId.delete(call.callId);
    for (const userId of [call.caller.userId, call.callee.userId]) {
      if (this.callIdByUserId.get(userId) === call.callId) this.callIdByUserId.delete(userId);
    }
  }

  get(callId: string): Call | undefined {
    return this.byId.get(callId);
  }

  /** The call the user is in, ringing or active, from any of its sessions. */
  callOfUser(userId: string): Call | undefined {
    const callId = this.callIdByUserId.get(userId);
    return callId === undefined ? undefined : this.byId.get(callId);
  }
}
