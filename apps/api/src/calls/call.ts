import type { Session } from '../session/session.js';

export type CallState = 'ringing' | 'active';

/** A live 1:1 call. Ended calls are forgotten, so their ids can be used again. */
export interface Call {
  readonly callId: string;
  readonly room: string;
  readonly video: boolean;
  readonly caller: Session;
  readonly callee: Session;
  state: CallState;
  ringTimer: NodeJS.Timeout | null;
}

export function otherParty(call: Call, party: Session): Session {
  return party === call.caller ? call.callee : call.caller;
}

export function isParty(call: Call, session: Session): boolean {
  return session === call.caller || session === call.callee;
}
