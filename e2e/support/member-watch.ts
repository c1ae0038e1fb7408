/**
 * Everything a room page showed of its members while something happened elsewhere (a reload, a
 * tab closing): a MutationObserver installed in the page records the online count and the
 * member list after every change to them, so that a count or a duplicate shown for a moment
 * and gone by the next assertion is still caught.
 */
import type { Page } from '@playwright/test';

/** What the page showed at one moment. */
export interface MemberSnapshot {
  /** Date.now() when the page showed it. */
  t: number;
  /** `online-count`'s text, or null while the page shows no count (joining). */
  online: string | null;
  /** The member list's items in order: data-user-id and data-name. */
  members: { userId: string; name: string }[];
}

interface WatchWindow {
  __e2eMemberSnapshots?: MemberSnapshot[];
}

export class MemberWatch {
  private constructor(readonly page: Page) {}

  /** Starts recording on `page` (which must not navigate while watched); records the current state at once. */
  static async start(page: Page): Promise<MemberWatch> {
    await page.evaluate(() => {
      const w = window as WatchWindow;
      const snapshots: MemberSnapshot[] = [];
      w.__e2eMemberSnapshots = snapshots;
      let last = '';
      const record = () => {
        const online = document.querySelector('[data-testid="online-count"]')?.textContent ?? null;
        const members = [
          ...document.querySelectorAll<HTMLElement>(
            '[data-testid="member-list"] [data-testid="member"]',
          ),
        ].map((item) => ({ userId: item.dataset.userId ?? '', name: item.dataset.name ?? '' }));
        const key = JSON.stringify([online, members]);
        if (key === last) return;
        last = key;
        snapshots.push({ t: Date.now(), online, members });
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
        attributeFilter: ['data-user-id', 'data-name'],
      });
      record();
    });
    return new MemberWatch(page);
  }

  /** Every state recorded so far, oldest first (consecutive duplicates left out). */
  async snapshots(): Promise<MemberSnapshot[]> {
    return this.page.evaluate(() => (window as WatchWindow).__e2eMemberSnapshots ?? []);
  }
}

/** How many items of `snapshot`'s member list are the user `userId`. */
export function timesListed(snapshot: MemberSnapshot, userId: string): number {
  return snapshot.members.filter((member) => member.userId === userId).length;
}

/** `snapshots` as lines, for assertion messages. */
export function describeSnapshots(snapshots: readonly MemberSnapshot[]): string {
  const start = snapshots[0]?.t ?? 0;
  return snapshots
    .map(
      (s) =>
        `+${s.t - start} ms: online ${s.online ?? '-'}; ` +
        (s.members.map((m) => `${m.name} (${m.userId.slice(0, 8)})`).join(', ') || 'nobody'),
    )
    .join('\n');
}
