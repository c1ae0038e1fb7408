import { useMemo } from 'react';
import { isTextMessage, type ChatMessage, type User } from '@duplex/protocol';
import { namesakeTags } from '@/lib/member-labels';

/**
 * Tags for the people of a room page who share a name with someone else on it: its members and
 * the senders of the messages shown (some of whom may have left), by userId.
 */
export function useNamesakeTags(
  members: readonly User[],
  messages: readonly ChatMessage[],
): ReadonlyMap<string, string> {
  return useMemo(() => {
    const senders = messages.filter(isTextMessage).map((message) => message.from);
    return namesakeTags([...members, ...senders]);
  }, [members, messages]);
}
