'use client';

import { useCallback, useRef, useState } from 'react';
import { DEFAULT_LIMITS } from '@duplex/protocol';
import { useInCall } from '@/hooks/use-call';
import { useConnectionStatus } from '@/hooks/use-connection-status';
import { useSession } from '@/hooks/use-duplex-client';
import { useDisplayName } from '@/hooks/use-display-name';
import { useNamesakeTags } from '@/hooks/use-namesake-tags';
import { useRoom } from '@/hooks/use-room';
import { useVisibleHeight } from '@/hooks/use-visible-height';
import { Composer } from './composer';
import { ConnectionBanner } from './connection-banner';
import { MemberDrawer } from './member-drawer';
import { MemberList } from './member-list';
import { MessageList } from './message-list';
import { RoomHeader } from './room-header';
import { RoomNotJoined } from './room-not-joined';
import { TypingIndicator } from './typing-indicator';
import styles from './chat.module.css';

const EMPTY: readonly never[] = [];

/**
 * A chat room: joined while this is on screen, left when it goes. Laid out by its own width
 * (a container query): the member list beside the chat when there is room, else behind a
 * "Members" button in the header, in a sheet. Sized to the visible height, so that the
 * composer stays above an on-screen keyboard.
 */
export function ChatRoom({ room }: { room: string }) {
  const { client, snapshot, status, error, live } = useRoom(room);
  const connection = useConnectionStatus();
  const session = useSession();
  const { name } = useDisplayName();
  const ownUserId = session?.userId ?? null;
  const maxChars = session?.limits.maxTextChars ?? DEFAULT_LIMITS.maxTextChars;
  const joined = status === 'joined';
  const members = joined && snapshot ? snapshot.members : EMPTY;
  const online = joined && snapshot ? snapshot.online : null;
  const stale = joined && !live;
  const messages = snapshot?.messages ?? EMPTY;
  const tags = useNamesakeTags(members, messages);

  const frameRef = useRef<HTMLDivElement>(null);
  useVisibleHeight(frameRef);

  const membersButtonRef = useRef<HTMLButtonElement>(null);
  const [membersOpen, setMembersOpen] = useState(false);
  // A call started from the sheet shows its view: the sheet gives way (adjusted while rendering).
  const inCall = useInCall();
  const [wasInCall, setWasInCall] = useState(inCall);
  if (inCall !== wasInCall) {
    setWasInCall(inCall);
    if (inCall && membersOpen) setMembersOpen(false);
  }
  const closeMembers = useCallback(() => setMembersOpen(false), []);

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

  // One member list at a time (its test ids and heading id are the page's): in the sheet while
  // it is open, else in the side column (hidden by CSS in a narrow room).
  const memberList = (
    <MemberList
      room={room}
      members={members}
      online={online}
      hasMore={joined && snapshot ? snapshot.hasMoreMembers : false}
      ownUserId={ownUserId}
      tags={tags}
      stale={stale}
      className={membersOpen ? styles.membersInDrawer : `card ${styles.membersAside}`}
      onLoadMore={loadMoreMembers}
    />
  );

  return (
    <div ref={frameRef} className={styles.roomFrame} data-testid="chat-room">
      <div className={styles.room}>
        <section className={`card ${styles.chat}`} aria-label={`Chat in ${room}`}>
          <RoomHeader
            room={room}
            online={online}
            stale={stale}
            notJoinedText={
              connection.kind === 'ready' || connection.kind === 'connecting'
                ? 'joining…'
                : 'not connected'
            }
            membersOpen={membersOpen}
            membersButtonRef={membersButtonRef}
            onOpenMembers={() => setMembersOpen(true)}
          />
          <ConnectionBanner status={connection} />
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
            notJoined={
              status === 'failed' ? (
                `Could not join #${room}.`
              ) : (
                <RoomNotJoined room={room} status={connection} />
              )
            }
            onLoadOlder={loadOlder}
            onRetry={retry}
            onDiscard={discard}
          />
          <TypingIndicator users={snapshot?.typing ?? EMPTY} />
          <Composer room={room} maxChars={maxChars} onSend={send} onTyping={setTyping} />
        </section>
        {membersOpen ? null : memberList}
      </div>
      <MemberDrawer
        open={membersOpen}
        labelledBy="members-title"
        returnFocusTo={membersButtonRef}
        onClose={closeMembers}
      >
        {membersOpen ? memberList : null}
      </MemberDrawer>
    </div>
  );
}
