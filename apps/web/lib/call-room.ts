import { isRoomName } from './room-name';

const PREFIX = 'call-';
const SUFFIX_LENGTH = 6;

/**
 * A room name nobody is likely to be in yet (`call-k3x9qa`), for starting a call: calls are
 * placed to another member of a room, so a call starts with a room of its own.
 */
export function freshCallRoomName(random: () => number = Math.random): string {
  let suffix = '';
  while (suffix.length < SUFFIX_LENGTH) suffix += Math.floor(random() * 36).toString(36);
  const room = PREFIX + suffix;
  if (!isRoomName(room)) throw new Error(`not a room name: ${room}`);
  return room;
}
