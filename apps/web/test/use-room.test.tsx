// @vitest-environment jsdom
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useRoom } from '@/hooks/use-room';
import { FakeDuplexClient, session, withClient } from './support/fake-duplex-client';

function connectedClient(): FakeDuplexClient {
  const client = new FakeDuplexClient();
  client.update({ state: 'ready', session: session() });
  return client;
}

describe('useRoom', () => {
  it('joins the room, follows its store, and is live once joined', async () => {
    const client = connectedClient();
    const { result } = renderHook(() => useRoom('general'), { wrapper: withClient(client) });
    expect(client.joinRoom).toHaveBeenCalledWith('general');
    expect(result.current.status).toBe('joining');
    expect(result.current.live).toBe(false);
    // The store is there at once (pending sends show before the join is acknowledged).
    expect(result.current.snapshot?.room).toBe('general');

    await act(async () => client.acceptJoin('general', { online: 5 }));
    expect(result.current.status).toBe('joined');
    expect(result.current.live).toBe(true);
    expect(result.current.snapshot?.online).toBe(5);
  });

  it('is not live while the connection is lost, and live again once the room is joined again', async () => {
    const client = connectedClient();
    const { result } = renderHook(() => useRoom('general'), { wrapper: withClient(client) });
    await act(async () => client.acceptJoin('general'));
    const store = client.stores.get('general')!;

    act(() => store.set({ live: false }));
    expect(result.current.status).toBe('joined');
    expect(result.current.live).toBe(false);
    expect(result.current.snapshot?.members).toHaveLength(2);

    act(() => store.set({ live: true }));
    expect(result.current.live).toBe(true);
  });

  it('says why a join failed', async () => {
    const client = connectedClient();
    const { result } = renderHook(() => useRoom('general'), { wrapper: withClient(client) });
    await act(async () => client.joins.get('general')!.reject(new Error('bad_room')));
    expect(result.current.status).toBe('failed');
    expect(result.current.error).toBe('bad_room');
    expect(result.current.live).toBe(false);
  });

  it('leaves the room when unmounted', () => {
    const client = connectedClient();
    const { unmount } = renderHook(() => useRoom('general'), { wrapper: withClient(client) });
    unmount();
    expect(client.leaveRoom).toHaveBeenCalledWith('general');
  });

  it('waits while there is no client', () => {
    const { result } = renderHook(() => useRoom('general'), { wrapper: withClient(null) });
    expect(result.current).toMatchObject({ client: null, snapshot: null, status: 'joining' });
  });
});
