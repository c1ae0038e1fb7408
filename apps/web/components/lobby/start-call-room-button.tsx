'use client';

import { useRouter } from 'next/navigation';
import { freshCallRoomName } from '@/lib/call-room';

/** Opens a room of its own: the name is drawn on click, so every click is a fresh room. */
export function StartCallRoomButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      className="button button-primary"
      data-testid="start-call-room"
      onClick={() => router.push(`/rooms/${freshCallRoomName()}`)}
    >
      Start a call room
    </button>
  );
}
