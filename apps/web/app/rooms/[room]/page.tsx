import type { Metadata } from 'next';
import Link from 'next/link';
import { ChatRoom } from '@/components/chat/chat-room';
import { ROOM_NAME_RULE, isRoomName, suggestRoomName } from '@/lib/room-name';

function decode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export async function generateMetadata({ params }: PageProps<'/rooms/[room]'>): Promise<Metadata> {
  const room = decode((await params).room);
  return { title: isRoomName(room) ? `#${room}` : 'No such room' };
}

export default async function RoomPage({ params }: PageProps<'/rooms/[room]'>) {
  const room = decode((await params).room);
  if (!isRoomName(room)) return <InvalidRoom name={room} />;
  // Keyed by room: moving to another room starts from a clean page (scroll, composer, history).
  return <ChatRoom key={room} room={room} />;
}

function InvalidRoom({ name }: { name: string }) {
  const suggestion = suggestRoomName(name);
  return (
    <div className="page">
      <section
        className="card not-found"
        data-testid="room-not-found"
        aria-labelledby="not-found-title"
      >
        <p className="eyebrow">No such room</p>
        <h1 id="not-found-title">“{name}” is not a room name</h1>
        <p className="lede">{ROOM_NAME_RULE}</p>
        <p className="not-found-actions">
          {suggestion ? (
            <Link href={`/rooms/${suggestion}`} className="button button-primary">
              Go to #{suggestion}
            </Link>
          ) : null}
          <Link href="/" className="button">
            Back to the lobby
          </Link>
        </p>
      </section>
    </div>
  );
}
