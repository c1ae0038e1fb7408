import type { User } from '@duplex/protocol';

/** One page load, begun at a point of the room's member list. */
export interface MemberPageLoad {
  readonly after: string | undefined;
  readonly generation: number;
}

/**
 * Where paging through a room's members (`GET /api/rooms/:room/members`, ordered by `userId`)
 * stands: the cursor (the last `userId` of the last page), whether the last page was the end,
 * and who left while a page was on its way: a page read before they left must not bring them
 * back. Presence keeps the list current meanwhile; a new join, or members joining unnamed, starts
 * paging over.
 */
export class MemberPaging {
  private cursor: string | undefined;
  private ended = false;
  private generation = 0;
  private loading = 0;
  private readonly departed = new Set<string>();

  /** The last page was shorter than asked: every member has been listed. */
  get exhausted(): boolean {
    return this.ended;
  }

  /**
   * Paging starts over from the first member, and pages on their way are dropped (they began at
   * the old cursor): the member list was replaced (a join ack), or members joined unnamed.
   */
  reset(): void {
    this.cursor = undefined;
    this.ended = false;
    this.generation++;
    this.departed.clear();
  }

  begin(): MemberPageLoad {
    this.loading++;
    return { after: this.cursor, generation: this.generation };
  }

  /** A member left (presence). */
  left(userId: string): void {
    if (this.loading > 0) this.departed.add(userId);
  }

  /**
   * Ends `load` with its page (`null`: it failed). Returns the page's users to merge, or `null`
   * when there are none to merge (failed, or the list was replaced meanwhile).
   */
  finish(load: MemberPageLoad, page: readonly User[] | null, limit: number): User[] | null {
    this.loading--;
    const departed = new Set(this.departed);
    if (this.loading === 0) this.departed.clear();
    if (page === null || load.generation !== this.generation) return null;
    const last = page.at(-1);
    if (last) this.cursor = last.userId;
    this.ended = page.length < limit;
    return page.filter((user) => !departed.has(user.userId));
  }
}
