import { PROTOCOL_BOUNDS } from '@duplex/protocol';

/** The rule behind the protocol's room pattern, in words a person can act on. */
export const ROOM_NAME_RULE =
  'Use 1 to 40 characters: lowercase letters a–z, digits and hyphens, starting with a letter or digit.';

export function isRoomName(value: string): boolean {
  return PROTOCOL_BOUNDS.roomPattern.test(value);
}

/** What the user typed, lower-cased as they type: room names have no capitals. */
export function normalizeRoomInput(value: string): string {
  return value.toLowerCase();
}

export type RoomNameCheck = { ok: true; room: string } | { ok: false; message: string };

export function checkRoomName(raw: string): RoomNameCheck {
  const room = raw.trim();
  if (room === '') return { ok: false, message: 'Type a room name. ' + ROOM_NAME_RULE };
  if (isRoomName(room)) return { ok: true, room };
  const problems: string[] = [];
  if ([...room].length > 40)
    problems.push(`“${shorten(room)}” is ${[...room].length} characters long`);
  else if (room.startsWith('-')) problems.push('a room name cannot start with a hyphen');
  const bad = [...new Set([...room].filter((c) => !/[a-z0-9-]/.test(c)))];
  if (bad.length > 0) {
    problems.push(
      `${bad.map(describeCharacter).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not allowed`,
    );
  }
  const lead = problems.length > 0 ? `${capitalize(problems.join('; '))}. ` : '';
  return { ok: false, message: lead + ROOM_NAME_RULE };
}

/** A suggestion for an invalid name (e.g. "Team Chat" → "team-chat"), or null. */
export function suggestRoomName(raw: string): string | null {
  const suggestion = raw
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return isRoomName(suggestion) ? suggestion : null;
}

function describeCharacter(c: string): string {
  if (c === ' ') return 'space';
  if (/\s/.test(c)) return 'whitespace';
  return `“${c}”`;
}

// By code points: cutting between the two halves of an emoji would show "�".
function shorten(value: string): string {
  const characters = [...value];
  return characters.length > 16 ? `${characters.slice(0, 15).join('')}…` : value;
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
