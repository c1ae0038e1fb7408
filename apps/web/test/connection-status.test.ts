import type { ConnectionState } from '@duplex/client';
import { describe, expect, it } from 'vitest';
import {
  canRetryNow,
  connectionKind,
  CONNECTION_LABELS,
  describeDisconnect,
  describeNextRetry,
} from '@/lib/connection-status';

const facts = (state: ConnectionState, everConnected: boolean, networkOnline = true) => ({
  state,
  everConnected,
  networkOnline,
});

describe('connectionKind', () => {
  it('never says reconnecting for a client that has never connected', () => {
    expect(connectionKind(facts('reconnecting', false))).toBe('never-connected');
    expect(connectionKind(facts('reconnecting', true))).toBe('reconnecting');
  });

  it('is connecting during the first attempt, and reconnecting for later ones of a client that was connected', () => {
    for (const state of ['idle', 'connecting', 'authenticating'] as const) {
      expect(connectionKind(facts(state, false))).toBe('connecting');
    }
    expect(connectionKind(facts('authenticating', true))).toBe('reconnecting');
  });

  it('is offline without a network, whatever the socket does meanwhile', () => {
    expect(connectionKind(facts('reconnecting', true, false))).toBe('offline');
    expect(connectionKind(facts('reconnecting', false, false))).toBe('offline');
    expect(connectionKind(facts('connecting', false, false))).toBe('offline');
  });

  it('is ready and closed as the client says', () => {
    expect(connectionKind(facts('ready', true))).toBe('ready');
    expect(connectionKind(facts('closed', true))).toBe('closed');
    expect(connectionKind(facts('closed', false, false))).toBe('closed');
  });

  it('has a label for each kind, "Reconnecting…" only for reconnecting', () => {
    const reconnecting = Object.entries(CONNECTION_LABELS).filter(([, label]) =>
      label.startsWith('Reconnecting'),
    );
    expect(reconnecting).toEqual([['reconnecting', 'Reconnecting…']]);
    expect(CONNECTION_LABELS['never-connected']).toBe('Can’t reach the server');
    expect(CONNECTION_LABELS.offline).toBe('You’re offline');
  });
});

describe('canRetryNow', () => {
  it('is true only while a retry is waited for', () => {
    expect(canRetryNow('never-connected', 1000)).toBe(true);
    expect(canRetryNow('reconnecting', 1000)).toBe(true);
    expect(canRetryNow('reconnecting', null)).toBe(false);
    expect(canRetryNow('offline', 1000)).toBe(false);
    expect(canRetryNow('ready', null)).toBe(false);
    expect(canRetryNow('closed', null)).toBe(false);
  });
});

describe('describeDisconnect', () => {
  it('says why in words', () => {
    expect(describeDisconnect(null, false)).toBeNull();
    expect(describeDisconnect({ code: 1006, reason: '' }, false)).toBe(
      'The server did not answer (it may be down or restarting).',
    );
    expect(describeDisconnect({ code: 1006, reason: '' }, true)).toBe(
      'The connection was cut off.',
    );
    expect(describeDisconnect({ code: 4000, reason: 'keep-alive ping unanswered' }, true)).toBe(
      'Keep-alive ping unanswered.',
    );
    expect(describeDisconnect({ code: 1001, reason: '' }, true)).toBe('Going away (code 1001).');
    expect(describeDisconnect({ code: 4999, reason: ' ' }, true)).toBe('Closed with code 4999.');
  });
});

describe('describeNextRetry', () => {
  it('counts down in whole seconds, rounded up', () => {
    expect(describeNextRetry(10_000, 6_000)).toBe('Retrying in 4 s…');
    expect(describeNextRetry(10_000, 6_001)).toBe('Retrying in 4 s…');
    expect(describeNextRetry(10_000, 9_500)).toBe('Retrying in 1 s…');
  });

  it('says it is trying now when the time has come or nothing is scheduled', () => {
    expect(describeNextRetry(10_000, 10_000)).toBe('Trying again now…');
    expect(describeNextRetry(null, 0)).toBe('Trying again now…');
  });
});
