import { describe, expect, it } from 'vitest';
import { CloseCode } from '@duplex/protocol';
import { describeCloseCode } from '@/lib/close-codes';

describe('describeCloseCode', () => {
  it('names every close code of the protocol', () => {
    const names: Record<keyof typeof CloseCode, string> = {
      Normal: 'Normal',
      GoingAway: 'Going away',
      PolicyViolation: 'Policy violation',
      MessageTooBig: 'Message too big',
      InternalError: 'Internal error',
      TryAgainLater: 'Try again later',
      HelloTimeout: 'Hello timeout',
      UnsupportedProtocol: 'Unsupported protocol',
      SessionTakenOver: 'Session taken over',
    };
    for (const [key, code] of Object.entries(CloseCode) as [keyof typeof CloseCode, number][]) {
      expect(describeCloseCode(code), key).toBe(names[key]);
    }
  });

  it('names the codes a browser reports itself', () => {
    expect(describeCloseCode(1005)).toBe('No status received');
    expect(describeCloseCode(1006)).toBe('Abnormal closure, no close frame');
    expect(describeCloseCode(1015)).toBe('TLS handshake failed');
  });

  it('has no name for a code it does not know', () => {
    expect(describeCloseCode(1002)).toBeNull();
    expect(describeCloseCode(4999)).toBeNull();
    expect(describeCloseCode(0)).toBeNull();
  });
});
