import { Injectable } from '@nestjs/common';
import type { Session } from '../session/session.js';
import type { Call } from './call.js';

/** Live calls of this instance, by id and by party. A user is in at most one call. */
@Injectable()
export class CallRegistry {
  private readonly byId = new Map<string, Call>();
  private readonly byUserId = new Map<string, Call>();

  add(call: Call): void {
    this.byId.set(call.callId, call);
    this.byUserId.set(call.caller.user.userId, call);
    this.byUserId.set(call.callee.user.userId, call);
  }

  remove(call: Call): void {
    if (call.ringTimer) clearTimeout(call.ringTimer);
    call.ringTimer = null;
    this.byId.delete(call.callId);
    if (this.byUserId.get(call.caller.user.userId) === call)
      this.byUserId.delete(call.caller.user.userId);
    if (this.byUserId.get(call.callee.user.userId) === call)
      this.byUserId.delete(call.callee.user.userId);
  }

  get(callId: string): Call | undefined {
    return this.byId.get(callId);
  }

  callOf(session: Session): Call | undefined {
    return this.byUserId.get(session.user.userId);
  }
}
