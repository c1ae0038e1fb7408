import type { TickerTransport } from '@duplex/protocol';
import type { ClientPhase } from './lifecycle';

/** The kind of colour a phase is shown in. */
export type PhaseTone = 'ok' | 'warn' | 'danger' | 'idle';

/** A client's phase in words, as the page shows it, and its tone. */
export function phaseLabel(
  transport: TickerTransport,
  phase: ClientPhase,
): { text: string; tone: PhaseTone } {
  switch (phase.name) {
    case 'idle':
      return { text: 'Not started', tone: 'idle' };
    case 'connecting':
      return { text: 'Connecting', tone: 'warn' };
    case 'active':
      if (transport === 'poll') return { text: 'Polling', tone: 'ok' };
      if (transport === 'long_poll') return { text: 'Request held', tone: 'ok' };
      return { text: 'Open', tone: 'ok' };
    case 'waiting':
      // Between two short polls: shown as polling too, or the label would flicker every poll.
      return { text: 'Polling', tone: 'ok' };
    case 'retrying':
      return {
        text: `Retrying in ${Math.round(phase.delayMs)} ms (${phase.reason})`,
        tone: 'warn',
      };
    case 'stopping':
      return { text: 'Stopping: finishing its request', tone: 'warn' };
    case 'stopped':
      return { text: 'Stopped', tone: 'idle' };
    case 'failed':
      return { text: `Stopped: ${phase.reason}`, tone: 'danger' };
  }
}
