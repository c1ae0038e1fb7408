// @vitest-environment jsdom
import { act, render } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallPhase, MediaStreamLike } from '@duplex/client';
import { CallLayer } from '@/components/call/call-layer';
import { CallManagerContext } from '@/hooks/use-call';
import { callSnapshot, FakeManager, FakeSession, setViewportWidth } from './support/fake-call';

const meters = vi.hoisted(() => ({ started: [] as string[], stopped: [] as string[] }));
vi.mock('@/lib/audio-meter', () => ({
  startAudioMeter: (track: { id: string }) => {
    meters.started.push(track.id);
    return () => meters.stopped.push(track.id);
  },
}));

/** A stream with one live audio track named `id`, as far as the view reads it. */
function streamWithAudio(id: string): MediaStreamLike {
  const track = { id, kind: 'audio', readyState: 'live' };
  return {
    id: `stream-${id}`,
    getTracks: () => [track],
    getAudioTracks: () => [track],
    getVideoTracks: () => [],
  } as unknown as MediaStreamLike;
}

function renderCall(phase: CallPhase): FakeSession {
  const session = new FakeSession(
    callSnapshot({
      phase,
      localStream: streamWithAudio('mine'),
      remoteStream: streamWithAudio('theirs'),
    }),
  );
  const manager = new FakeManager();
  manager.publish(session);
  render(
    <CallManagerContext.Provider value={manager.asManager()}>
      <CallLayer />
    </CallManagerContext.Provider>,
  );
  return session;
}

beforeEach(() => {
  vi.useFakeTimers();
  setViewportWidth(1366);
  // jsdom plays no media: the view's <video> and <audio> only need play() to settle.
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
  meters.started.length = 0;
  meters.stopped.length = 0;
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('the speaking meters of a call', () => {
  it('do not run while the call is set up', () => {
    renderCall('connecting');
    act(() => vi.advanceTimersByTime(5_000));
    expect(meters.started).toEqual([]);
  });

  it('start a second after the media connected, both sides', () => {
    const session = renderCall('connecting');
    act(() => session.update({ phase: 'connected' }));
    act(() => vi.advanceTimersByTime(999));
    expect(meters.started).toEqual([]);
    act(() => vi.advanceTimersByTime(1));
    expect([...meters.started].sort()).toEqual(['mine', 'theirs']);
  });

  it('keep running through a reconnect, and stop when the call ends', () => {
    const session = renderCall('connected');
    act(() => vi.advanceTimersByTime(1_000));
    expect(meters.started).toHaveLength(2);
    act(() => session.update({ phase: 'reconnecting' }));
    act(() => session.update({ phase: 'connected' }));
    expect(meters.started).toHaveLength(2);
    expect(meters.stopped).toEqual([]);
    act(() => session.update({ phase: 'ended' }));
    expect([...meters.stopped].sort()).toEqual(['mine', 'theirs']);
  });
});
