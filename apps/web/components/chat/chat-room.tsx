'use client';

import { useCallback } from 'react';
import { DEFAULT_LIMITS } from '@duplex/protocol';
import { useSession } from '@/hooks/use-duplex-client';
import { useDisplayName } from '@/hooks/use-display-name';
import { useNamesakeTags } from '@/hooks/use-namesake-tags';
import { useRoom } from '@/hooks/use-room';
import { Composer } from './composer';
import { MemberList } from './member-list';
import { MessageList } from './message-list';
import { ReconnectingBanner } from './reconnecting-banner';
import { RoomHeader } from './room-header';
import { TypingIndicator } from './typing-indicator';
import styles from './chat.module.css';

const EMPTY: readonly never[] = [];

/** A chat room: joined while this is on screen, left when it goes. */
export function ChatRoom({ room }: { room: string }) {
  const { client, snapshot, status, error } = useRoom(room);
  const session = useSession();
  const { name } = useDisplayName();
  const ownUserId = session?.userId ?? null;
  const maxChars = session?.limits.maxTextChars ?? DEFAULT_LIMITS.maxTextChars;
  const joined = status === 'joined';
  const members = joined && snapshot ? snapshot.members : EMPTY;
  const messages = snapshot?.messages ?? EMPTY;
  const tags = useNamesakeTags(members, messages);

  const loadMoreMembers = useCallback(
    () => (client ? client.loadMoreMembers(room) : Promise.resolve([])),
    [client, room],
  );
  const loadOlder = useCallback(
    () => (client ? client.loadOlder(room) : Promise.resolve([])),
    [client, room],
  );
  const retry = useCallback(
    (clientId: string) => client?.retryChat(room, clientId),
    [client, room],
  );
  const discard = useCallback(
    (clientId: string) => client?.discardChat(room, clientId),
    [client, room],
  );
  const setTyping = useCallback(
    (typing: boolean) => {
      try {
        client?.setTyping(room, typing);
      } catch {
        // Typing is a hint: never worth an error.
      }
    },
    [client, room],
  );
  const send = useCallback(
    (text: string): string | null => {
      if (!client) return 'Not connected yet: wait a moment and send again.';
      try {
        client.sendChat(room, text);
        return null;
      } catch (failure) {
        return failure instanceof Error ? failure.message : String(failure);
      }
    },
    [client, room],
  );

  return (
    <div className={styles.room}>
      <section className={`card ${styles.chat}`} aria-label={`Chat in ${room}`}>
        <RoomHeader room={room} online={joined && snapshot ? snapshot.online : null} />
        <ReconnectingBanner />
        {status === 'failed' ? (
          <div className={styles.banner} data-tone="danger" role="alert">
            <span>
              Could not join #{room}: {error}
            </span>
            <button
              type="button"
              className="button button-small"
              onClick={() => window.location.reload()}
            >
              Reload
            </button>
          </div>
        ) : null}
        <MessageList
          room={room}
          messages={messages}
          pending={snapshot?.pending ?? EMPTY}
          hasOlder={snapshot?.hasOlder ?? false}
          ready={joined}
          ownUserId={ownUserId}
          tags={tags}
          ownName={session?.name ?? name ?? 'You'}
          onLoadOlder={loadOlder}
          onRetry={retry}
          onDiscard={discard}
        />
        <TypingIndicator users={snapshot?.typing ?? EMPTY} />
        <Composer room={room} maxChars={maxChars} onSend={send} onTyping={setTyping} />
      </section>
      <MemberList
        room={room}
        members={members}
        online={joined && snapshot ? snapshot.online : null}
        hasMore={joined && snapshot ? snapshot.hasMoreMembers : false}
        ownUserId={ownUserId}
        tags={tags}
        onLoadMore={loadMoreMembers}
      />
    </div>
  );
}
