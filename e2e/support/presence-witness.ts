/**
 * A barrier for presence: proof that a presence change that should NOT happen did not, without
 * waiting a fixed time.
 *
 * The api sends each member a room's presence frames in order (PROTOCOL.md, presence), and a
 * closed session's grace period, the same length for every session, ends in the order the
 * closes were seen. So a witness, a user of its own in the room:
 * - once the observers see the witness arrive, every presence change the api made before that
 *   join has reached them too;
 * - once they see the witness gone (its grace period over), so has every leave the api made for
 *   a session whose socket it saw close before the witness's: that grace period ended first.
 * The test makes sure of the second ordering with `expectOpenWsConnections` (./api-metrics.ts)
 * before `leave()`.
 */
import type { Browser } from '@playwright/test';
import { openChatUserIn, type ChatUser } from './room-page.js';

export class PresenceWitness {
  private constructor(readonly user: ChatUser) {}

  /**
   * A new user `name` in a new context of `browser` joins `room`; resolves once every observer
   * lists exactly `membersWithWitness` (names) and counts them.
   */
  static async join(
    browser: Browser,
    baseURL: string | undefined,
    room: string,
    name: string,
    observers: readonly ChatUser[],
    membersWithWitness: readonly string[],
  ): Promise<PresenceWitness> {
    const user = await openChatUserIn(browser, baseURL, name);
    await user.openLobbyAndSetName();
    await user.joinFromLobby(room);
    await user.expectMembers(membersWithWitness);
    for (const observer of observers) await observer.expectMembers(membersWithWitness);
    return new PresenceWitness(user);
  }

  /**
   * Closes the witness's context (its socket closes: its grace period starts) and resolves once
   * every observer lists exactly `membersAfter` again, the witness's leave included.
   * `timeout` must cover the api's resume grace.
   */
  async leave(
    observers: readonly ChatUser[],
    membersAfter: readonly string[],
    timeout: number,
  ): Promise<void> {
    await this.user.context.close();
    for (const observer of observers) await observer.expectMembers(membersAfter, timeout);
  }
}
