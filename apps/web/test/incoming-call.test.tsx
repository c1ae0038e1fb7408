// @vitest-environment jsdom
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { CallLayer } from '@/components/call/call-layer';
import { CallManagerContext } from '@/hooks/use-call';
import { callSnapshot, FakeManager, FakeSession, setViewportWidth } from './support/fake-call';

function ringingFrom(name: string, video: boolean) {
  return new FakeSession(
    callSnapshot({
      phase: 'ringing-in',
      role: 'callee',
      peer: { userId: 'u-ann', name },
      video,
      remoteMedia: null,
      startedAt: null,
    }),
  );
}

function renderLayer() {
  const manager = new FakeManager();
  render(
    <CallManagerContext.Provider value={manager.asManager()}>
      <main>
        <textarea data-testid="composer-input" aria-label="Message" />
      </main>
      <CallLayer />
    </CallManagerContext.Provider>,
  );
  return manager;
}

beforeEach(() => setViewportWidth(1366));

describe('the incoming call prompt', () => {
  it('is an alert dialog named after the caller, with Accept focused', () => {
    const manager = renderLayer();
    act(() => manager.publish(ringingFrom('Ann', true)));
    const prompt = screen.getByRole('alertdialog', { name: 'Ann is calling…' });
    expect(prompt.dataset.testid).toBe('incoming-call');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Accept' }));
    for (const name of ['Decline', 'Audio only', 'Accept'])
      expect(screen.getByRole('button', { name })).toBeTruthy();
  });

  it('leaves focus with someone typing, who reaches it with Tab', async () => {
    const user = userEvent.setup();
    const manager = renderLayer();
    const composer = screen.getByTestId('composer-input');
    await user.click(composer);
    await user.keyboard('hello');
    act(() => manager.publish(ringingFrom('Ann', false)));
    expect(document.activeElement).toBe(composer);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Decline' }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Accept' }));
  });

  it('answers with Enter on Accept, and focus moves into the call view', async () => {
    const user = userEvent.setup();
    const manager = renderLayer();
    const session = ringingFrom('Ann', false);
    act(() => manager.publish(session));
    await user.keyboard('{Enter}');
    expect(session.calls).toEqual(['accept']);
    act(() => session.update({ phase: 'connecting' }));
    expect(screen.queryByTestId('incoming-call')).toBeNull();
    const view = screen.getByTestId('call-view');
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Ann' }));
    expect(view.contains(document.activeElement)).toBe(true);
  });

  it('declines with the Decline button', async () => {
    const user = userEvent.setup();
    const manager = renderLayer();
    const session = ringingFrom('Ann', true);
    act(() => manager.publish(session));
    await user.click(screen.getByRole('button', { name: 'Decline' }));
    expect(session.calls).toEqual(['decline']);
  });
});
