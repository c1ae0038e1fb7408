import type { Call } from './call.js';
import type { CallStore, CreateResult, StoredCall } from './call-store.js';

/** Calls of the only instance, in memory; a stored call's version is the object itself. */
export class LocalCallStore implements CallStore {
  private readonly byId = new Map<string, Call>();
  private readonly callIdByUserId = new Map<string, string>();
  private readonly ringTimers = new Map<string, NodeJS.Timeout>();
  private ringDue: (callId: string) => void = () => {};

  create(call: Call, ringTimeoutMs: number): Promise<CreateResult> {
    if (this.byId.has(call.callId)) return Promise.resolve('callId-in-use');
    if (
      this.callIdByUserId.has(call.caller.userId) ||
      this.callIdByUserId.has(call.callee.userId)
    ) {
      return Promise.resolve('busy');
    }
    this.save(call);
    this.ringTimers.set(
      call.callId,
      setTimeout(() => {
        this.ringTimers.delete(call.callId);
        this.ringDue(call.callId);
      }, ringTimeoutMs),
    );
    return Promise.resolve('created');
  }

  get(callId: string): Promise<StoredCall | undefined> {
    return Promise.resolve(this.stored(this.byId.get(callId)));
  }

  callOfUser(userId: string): Promise<StoredCall | undefined> {
    const callId = this.callIdByUserId.get(userId);
    return Promise.resolve(this.stored(callId === undefined ? undefined : this.byId.get(callId)));
  }

  replace(stored: StoredCall, next: Call): Promise<boolean> {
    if (this.byId.get(next.callId) !== stored.version) return Promise.resolve(false);
    this.save(next);
    if (next.phase.state !== 'ringing') this.stopRinging(next.callId);
    return Promise.resolve(true);
  }

  remove(stored: StoredCall): Promise<boolean> {
    const { call } = stored;
    if (this.byId.get(call.callId) !== stored.version) return Promise.resolve(false);
    this.byId.delete(call.callId);
    for (const userId of [call.caller.userId, call.callee.userId]) {
      if (this.callIdByUserId.get(userId) === call.callId) this.callIdByUserId.delete(userId);
    }
    this.stopRinging(call.callId);
    return Promise.resolve(true);
  }

  onRingDue(handler: (callId: string) => void): void {
    this.ringDue = handler;
  }

  close(): void {
    for (const timer of this.ringTimers.values()) clearTimeout(timer);
    this.ringTimers.clear();
  }

  private save(call: Call): void {
    this.byId.set(call.callId, call);
    this.callIdByUserId.set(call.caller.userId, call.callId);
    this.callIdByUserId.set(call.callee.userId, call.callId);
  }

  private stopRinging(callId: string): void {
    clearTimeout(this.ringTimers.get(callId));
    this.ringTimers.delete(callId);
  }

  private stored(call: Call | undefined): StoredCall | undefined {
    return call && { call, version: call };
  }
}
