// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import HomePage from '@/app/page';
import { ConfigProvider } from '@/components/config-provider';
import { DemoCards } from '@/components/lobby/demo-cards';
import { isRoomName } from '@/lib/room-name';

const push = vi.fn();
vi.mock('next/navigation', () => ({
  useRouter: () => ({ push, replace: vi.fn(), prefetch: vi.fn(), back: vi.fn() }),
  usePathname: () => '/',
}));

beforeEach(() => {
  push.mockReset();
  // The lobby's room list asks the api; here it never answers.
  vi.stubGlobal(
    'fetch',
    vi.fn(() => new Promise(() => {})),
  );
});

function actionsOf(card: HTMLElement) {
  return within(card).queryAllByRole('link').concat(within(card).queryAllByRole('button'));
}

describe('DemoCards', () => {
  it('shows chat, calls and echo, each with exactly one action', () => {
    render(<DemoCards />);
    const cards = ['demo-chat', 'demo-calls', 'demo-echo'].map((id) => screen.getByTestId(id));
    expect(cards.map((card) => within(card).getByRole('heading').textContent)).toEqual([
      'Rooms with presence and history',
      '1:1 video and audio over WebRTC',
      'A raw WebSocket playground',
    ]);
    for (const card of cards) expect(actionsOf(card)).toHaveLength(1);
  });

  it('chat leads to the room field, echo to the playground', () => {
    render(<DemoCards />);
    expect(screen.getByRole('link', { name: 'Join a room' }).getAttribute('href')).toBe(
      '#room-name',
    );
    const echo = screen.getByTestId('echo-link');
    expect(echo.getAttribute('href')).toBe('/echo');
    expect(echo.textContent).toBe('Open the playground');
  });

  it('"Start a call room" opens a fresh room each time, and says how calls are placed', async () => {
    const user = userEvent.setup();
    render(<DemoCards />);
    const calls = screen.getByTestId('demo-calls');
    expect(calls.textContent).toMatch(/second window or send its link/);
    await user.click(within(calls).getByRole('button', { name: 'Start a call room' }));
    await user.click(within(calls).getByRole('button', { name: 'Start a call room' }));
    expect(push).toHaveBeenCalledTimes(2);
    const [first, second] = push.mock.calls.map(([path]) => String(path));
    for (const path of [first!, second!]) {
      expect(path).toMatch(/^\/rooms\/call-[a-z0-9]{6}$/);
      expect(isRoomName(path.slice('/rooms/'.length))).toBe(true);
    }
    expect(first).not.toBe(second);
  });
});

describe('HomePage', () => {
  it('says what Duplex is, above the demos and the lobby', () => {
    render(
      <ConfigProvider apiUrl="http://api.test">
        <HomePage />
      </ConfigProvider>,
    );
    const intro = screen.getByTestId('home-intro').textContent ?? '';
    for (const part of ['one WebSocket', 'chat rooms', 'calls over WebRTC', 'echo playground'])
      expect(intro).toContain(part);
    expect(screen.getByRole('heading', { level: 1 })).toBeTruthy();
    expect(screen.getByTestId('demo-chat')).toBeTruthy();
    // The lobby stays: the chat card's link points at its room field.
    expect(screen.getByTestId('room-input').id).toBe('room-name');
    expect(screen.getByTestId('name-input')).toBeTruthy();
    expect(screen.getByTestId('room-list')).toBeTruthy();
  });

  it('links the transports comparison, next to the three demos', () => {
    render(
      <ConfigProvider apiUrl="http://api.test">
        <HomePage />
      </ConfigProvider>,
    );
    const link = screen.getByTestId('transports-link');
    expect(link.getAttribute('href')).toBe('/transports');
    expect(link.textContent).toMatch(/short polling, long polling, SSE and WebSocket/);
    expect(
      ['demo-chat', 'demo-calls', 'demo-echo'].map((id) => screen.getByTestId(id)),
    ).toHaveLength(3);
  });
});
