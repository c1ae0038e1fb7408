// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DisplayNameForm } from '@/components/lobby/display-name-form';
import { JoinRoomForm } from '@/components/lobby/join-room-form';
import { RoomList } from '@/components/lobby/room-list';
import type { RoomsList } from '@/hooks/use-rooms-list';

const push = vi.fn();
vi.mock('next/navigation', () => ({
  useRouter: () => ({ push, replace: vi.fn(), prefetch: vi.fn(), back: vi.fn() }),
  usePathname: () => '/',
}));

beforeEach(() => push.mockReset());

function list(partial: Partial<RoomsList>): RoomsList {
  return { rooms: null, error: null, updatedAt: null, refresh: () => {}, ...partial };
}

describe('JoinRoomForm', () => {
  it('goes to the room typed, lower-cased as typed', async () => {
    const user = userEvent.setup();
    render(<JoinRoomForm />);
    await user.type(screen.getByTestId('room-input'), 'Team-Chat');
    expect(screen.getByTestId('room-input')).toHaveProperty('value', 'team-chat');
    await user.click(screen.getByTestId('room-join'));
    expect(push).toHaveBeenCalledWith('/rooms/team-chat');
  });

  it('refuses a name the protocol does not allow, says why and offers a fix', async () => {
    const user = userEvent.setup();
    render(<JoinRoomForm />);
    const input = screen.getByTestId('room-input');
    await user.type(input, 'team chat');
    await user.click(screen.getByTestId('room-join'));
    expect(push).not.toHaveBeenCalled();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert').textContent).toContain('Space is not allowed');
    await user.click(screen.getByRole('button', { name: '#team-chat' }));
    expect(input).toHaveProperty('value', 'team-chat');
  });
});

describe('DisplayNameForm', () => {
  it('is disabled until the remembered name is known', () => {
    render(<DisplayNameForm current={null} onSave={() => {}} />);
    expect(screen.getByTestId('name-input')).toHaveProperty('disabled', true);
    expect(screen.getByTestId('name-save')).toHaveProperty('disabled', true);
  });

  it('saves a new name, trimmed, and says it is reconnecting', async () => {
    const user = userEvent.setup();
    const onSave = vi.fn();
    const { rerender } = render(<DisplayNameForm current="Ann" onSave={onSave} />);
    const input = screen.getByTestId('name-input');
    await user.clear(input);
    await user.type(input, '  Bob  ');
    await user.click(screen.getByTestId('name-save'));
    expect(onSave).toHaveBeenCalledWith('Bob');
    rerender(<DisplayNameForm current="Bob" onSave={onSave} />);
    expect(screen.getByText(/Reconnecting as “Bob”/)).toBeTruthy();
  });

  it('shows why an empty name cannot be saved', async () => {
    const user = userEvent.setup();
    const onSave = vi.fn();
    render(<DisplayNameForm current="Ann" onSave={onSave} />);
    await user.clear(screen.getByTestId('name-input'));
    await user.click(screen.getByTestId('name-save'));
    expect(onSave).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).not.toBe('');
  });
});

describe('RoomList', () => {
  it('says it is loading before the first answer', () => {
    render(<RoomList list={list({})} />);
    expect(screen.getByText('Loading…')).toBeTruthy();
    expect(screen.queryByTestId('room-list-empty')).toBeNull();
  });

  it('says there are no rooms yet when the api lists none', () => {
    render(<RoomList list={list({ rooms: [] })} />);
    expect(screen.getByTestId('room-list-empty').textContent).toContain('No rooms yet');
  });

  it('links every room with its members online and its messages', () => {
    render(
      <RoomList
        list={list({
          rooms: [
            { room: 'busy', online: 2, lastSeq: 1 },
            { room: 'quiet', online: 0, lastSeq: 12 },
          ],
        })}
      />,
    );
    const items = screen.getAllByTestId('room-list-item');
    expect(items.map((item) => item.getAttribute('data-room'))).toEqual(['busy', 'quiet']);
    const busy = within(items[0]!).getByRole('link');
    expect(busy.getAttribute('href')).toBe('/rooms/busy');
    expect(busy.textContent).toContain('2 online');
    expect(busy.textContent).toContain('1 message');
    expect(within(items[1]!).getByRole('link').textContent).toContain('12 messages');
  });

  it('reports a failed refresh, keeping the last list', () => {
    render(
      <RoomList
        list={list({
          rooms: [{ room: 'kept', online: 1, lastSeq: 3 }],
          error: 'the api cannot be reached',
        })}
      />,
    );
    expect(screen.getByRole('alert').textContent).toContain(
      'Could not load the room list: the api cannot be reached. Showing the last one received.',
    );
    expect(screen.getAllByTestId('room-list-item')).toHaveLength(1);
  });
});
