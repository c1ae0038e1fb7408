// @vitest-environment jsdom
import { act, render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { CallStats } from '@duplex/client';
import {
  CallActionsContext,
  CallManagerContext,
  useInCall,
  type CallActions,
} from '@/hooks/use-call';
import { callSnapshot, FakeManager, FakeSession } from './support/fake-call';

const noActions: CallActions = {
  placeCall: () => {},
  pending: null,
  cancelPending: () => {},
  problem: null,
  reportProblem: () => {},
};

/** Renders a component that asks `useInCall`, and counts its renders. */
function renderProbe(manager: FakeManager, actions: CallActions = noActions) {
  const answers: boolean[] = [];
  function Probe() {
    answers.push(useInCall());
    return null;
  }
  const tree = (value: CallActions) => (
    <CallManagerContext.Provider value={manager.asManager()}>
      <CallActionsContext.Provider value={value}>
        <Probe />
      </CallActionsContext.Provider>
    </CallManagerContext.Provider>
  );
  const result = render(tree(actions));
  return {
    answers,
    rerender: (value: CallActions) => result.rerender(tree(value)),
    unmount: result.unmount,
  };
}

const someStats = (rttMs: number) => ({ rttMs }) as unknown as CallStats;

describe('useInCall', () => {
  it('answers for the current call, and re-renders only when the answer changes', () => {
    const manager = new FakeManager();
    const { answers } = renderProbe(manager);
    expect(answers).toEqual([false]);

    const first = new FakeSession(callSnapshot({ phase: 'ringing-out', stats: null }));
    act(() => manager.publish(first));
    expect(answers).toEqual([false, true]);

    // What a call set-up and a call's stats do to the snapshot, many times a second.
    act(() => first.update({ phase: 'connecting' }));
    act(() => first.update({ phase: 'connected', startedAt: 1 }));
    act(() => first.update({ stats: someStats(20) }));
    act(() => first.update({ stats: someStats(30), muted: true }));
    expect(answers).toEqual([false, true]);

    act(() => first.update({ phase: 'ended' }));
    expect(answers).toEqual([false, true, false]);
    // An ended call's snapshot changes no more answers either.
    act(() => first.update({ stats: null }));
    expect(answers).toEqual([false, true, false]);
  });

  it('follows the manager to the next session and stops listening to the last', () => {
    const manager = new FakeManager();
    const { answers, unmount } = renderProbe(manager);
    const first = new FakeSession(callSnapshot({ phase: 'connected' }));
    act(() => manager.publish(first));
    expect(first.listenerCount).toBe(1);
    const second = new FakeSession(callSnapshot({ callId: 'call-2', phase: 'ended' }));
    act(() => manager.publish(second));
    expect(answers).toEqual([false, true, false]);
    expect(first.listenerCount).toBe(0);
    expect(second.listenerCount).toBe(1);

    act(() => second.update({ phase: 'ringing-in' }));
    expect(answers).toEqual([false, true, false, true]);
    act(() => manager.publish(null));
    expect(answers).toEqual([false, true, false, true, false]);
    expect(second.listenerCount).toBe(0);

    act(() => manager.publish(first));
    unmount();
    expect(first.listenerCount).toBe(0);
    expect(manager.listenerCount).toBe(0);
  });

  it('counts a call being placed (no session yet) as a call', () => {
    const manager = new FakeManager();
    const { answers, rerender } = renderProbe(manager);
    rerender({
      ...noActions,
      pending: { peer: { userId: 'u-bob', name: 'Bob' }, room: 'r', video: true },
    });
    expect(answers.at(-1)).toBe(true);
    rerender(noActions);
    expect(answers.at(-1)).toBe(false);
  });
});
