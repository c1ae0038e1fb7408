import type { User } from '@duplex/protocol';

/** Shortest tag shown; longer only when two namesakes' tags would still be the same. */
const TAG_MIN_CHARS = 4;

/** Names that differ only in case or surrounding spaces read as the same name. */
function nameKey(name: string): string {
  return name.trim().normalize('NFC').toLocaleLowerCase();
}

function tagSource(userId: string): string {
  const letters = userId.replace(/[^0-9a-z]/gi, '').toLowerCase();
  return letters === '' ? userId : letters;
}

/** The shortest prefix length (from {@link TAG_MIN_CHARS}) that gives every id its own tag. */
function distinctLength(sources: readonly string[]): number {
  const longest = Math.max(...sources.map((source) => source.length));
  for (let length = TAG_MIN_CHARS; length < longest; length++) {
    const tags = new Set(sources.map((source) => source.slice(0, length)));
    if (tags.size === sources.length) return length;
  }
  return longest;
}

/**
 * For each user whose name another user in `users` shares: a short tag from their userId
 * ("3f2a"), so that two Anns read as "Ann · 3f2a" and "Ann · 9c01". Users with a name of their
 * own get none: the map holds only namesakes, by userId.
 */
export function namesakeTags(users: readonly User[]): ReadonlyMap<string, string> {
  const byName = new Map<string, User[]>();
  for (const user of users) {
    const key = nameKey(user.name);
    const group = byName.get(key);
    if (!group) byName.set(key, [user]);
    else if (!group.some((other) => other.userId === user.userId)) group.push(user);
  }
  const tags = new Map<string, string>();
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    const cleaned = group.map((user) => tagSource(user.userId));
    // Ids that differ only in punctuation or case are shown whole.
    const sources =
      new Set(cleaned).size === cleaned.length ? cleaned : group.map((user) => user.userId);
    const length = distinctLength(sources);
    group.forEach((user, index) => tags.set(user.userId, sources[index]!.slice(0, length)));
  }
  return tags;
}
