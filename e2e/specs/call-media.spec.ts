/**
 * The other side sees at once when you mute or turn your camera off (`call.media`), instead of
 * waiting for the media to stall: Ann mutes, unmutes, turns her camera off and on in a video
 * call, and each change shows in Bob's call view within a second of her click.
 *
 * The delay is measured inside the pages, on one clock: Ann's click (her call trace) to the
 * indicator appearing or going in Bob's page (a MutationObserver there), without the test's
 * polling in it.
 */
import { expect, test, type Locator } from '@playwright/test';
import {
  closeCallUsers,
  connectCall,
  joinCallRoom,
  launchCallUsers,
  record,
  type CallUser,
} from '../support/call-page.js';
import { uniqueRoomName } from '../support/room-page.js';

/** From the click on one side to the indicator on the other, measured in the pages. */
const SHOWN_WITHIN_MS = 1_000;
/**
 * How long the test waits to see the change itself: the runner's own polling lags on a loaded
 * machine, so the limit above is checked on the pages' clock, not with this wait.
 */
const SEEN_BY_THE_TEST_MS = 10_000;

test.describe('the peer’s microphone and camera', () => {
  let users: CallUser[] = [];

  test.afterEach(async ({}, testInfo) => {
    await closeCallUsers(users, testInfo);
    users = [];
  });

  test('muting and the camera going off show on the other side within 1 s, and back on', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('media-state'));
    await connectCall(ann, bob, true, testInfo);
    await bob.expectDecodingVideo();

    // Ann's first call.media has arrived: microphone and camera on, nothing to show.
    await expect(bob.remoteMedia).toHaveAttribute('data-audio', 'true');
    await expect(bob.remoteMuted).toHaveCount(0);
    await expect(bob.remoteCameraOff).toHaveCount(0);
    await expect(bob.view).toHaveAttribute('data-remote-video', 'true');
    await bob.watchRemoteMediaIndicators();

    /**
     * Ann clicks `control` (its aria-pressed becomes `pressed`); Bob's `indicator` must appear
     * (`shown`) or go within SHOWN_WITHIN_MS of the click.
     */
    async function toggle(
      step: string,
      control: Locator,
      pressed: boolean,
      indicator: 'muted' | 'cameraOff',
      shown: boolean,
    ): Promise<void> {
      const since = Date.now();
      await control.click();
      const locator = indicator === 'muted' ? bob.remoteMuted : bob.remoteCameraOff;
      if (shown)
        await expect(locator, `Bob: ${step}`).toBeVisible({ timeout: SEEN_BY_THE_TEST_MS });
      else await expect(locator, `Bob: ${step}`).toHaveCount(0, { timeout: SEEN_BY_THE_TEST_MS });
      await expect(control, `Ann: ${step}`).toHaveAttribute('aria-pressed', String(pressed));
      const clicked = await ann.traceTime((await control.getAttribute('data-testid')) ?? '', since);
      const changed = await bob.remoteIndicatorTime(indicator, shown, since);
      record(testInfo, 'timing', `${step}: Ann's click → Bob's page ${changed - clicked} ms`);
      expect(changed - clicked, `${step}: ms from Ann's click to Bob's page`).toBeLessThan(
        SHOWN_WITHIN_MS,
      );
    }

    await toggle('Ann mutes', ann.mute, true, 'muted', true);
    await expect(bob.remoteMuted).toHaveText('Ann is muted');
    await expect(bob.remoteMedia).toHaveAttribute('data-audio', 'false');
    await expect(bob.remoteCameraOff).toHaveCount(0);

    await toggle('Ann unmutes', ann.mute, false, 'muted', false);
    await expect(bob.remoteMedia).toHaveAttribute('data-audio', 'true');

    await toggle('Ann turns her camera off', ann.camera, false, 'cameraOff', true);
    await expect(bob.remoteCameraOff).toHaveText("Ann's camera is off");
    // Her initial instead of a frozen frame.
    await expect(bob.view).toHaveAttribute('data-remote-video', 'false');
    await expect(bob.remoteVideo).toBeHidden();
    await expect(bob.remoteMuted).toHaveCount(0);

    await toggle('Ann turns her camera on', ann.camera, true, 'cameraOff', false);
    await expect(bob.view).toHaveAttribute('data-remote-video', 'true');
    await bob.expectDecodingVideo();

    // Bob never muted nor turned his camera off: Ann's page says nothing about him.
    await expect(ann.remoteMuted).toHaveCount(0);
    await expect(ann.remoteCameraOff).toHaveCount(0);
    for (const user of users) await expect(user.state).toHaveAttribute('data-phase', 'connected');

    await ann.hangup.click();
    await Promise.all([ann.expectPhase('ended', 5_000), bob.expectPhase('ended', 5_000)]);
  });
});
