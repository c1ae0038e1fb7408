/**
 * The media checks of the call specs (specs/calls.spec.ts), for the cluster specs: video frames
 * decoded and rising on each side, the remote video shown, and the peer's audio (the fake
 * microphone's beeps) measured on each side.
 */
import { expect, type TestInfo } from '@playwright/test';
import { record, type CallUser } from './call-page.js';

/** Loudest RMS over 2 s above this: the peer is heard (as in specs/calls.spec.ts). */
export const AUDIBLE_RMS = 0.02;

/** Video and audio flow both ways between `users`' current call; the figures go to the report. */
export async function expectMediaBothWays(
  users: readonly CallUser[],
  testInfo: TestInfo,
  label = '',
): Promise<void> {
  const flows = await Promise.all(users.map((user) => user.expectDecodingVideo()));
  for (const [index, user] of users.entries()) {
    const flow = flows[index]!;
    await user.expectShowsRemoteVideo(flow);
    record(
      testInfo,
      'video',
      `${label}${user.name} decodes ${flow.fps} fps (framesDecoded ${flow.before} → ` +
        `${flow.after}), remote-video ${flow.videoWidth}x${flow.videoHeight}`,
    );
  }
  // The fake device beeps now and then: a few 2 s windows until a beep is caught.
  const levels = await Promise.all(
    users.map(async (user) => {
      let level = 0;
      await expect
        .poll(async () => (level = Math.max(level, await user.remoteAudioLevel())), {
          message: `${user.name} hears the peer`,
          timeout: 15_000,
          intervals: [0],
        })
        .toBeGreaterThan(AUDIBLE_RMS);
      return level;
    }),
  );
  record(
    testInfo,
    'audio',
    `${label}RMS max: ${users.map((user, i) => `${user.name} hears ${levels[i]!.toFixed(4)}`).join(', ')}`,
  );
}

interface CallWindow {
  __duplexCall?: {
    manager: { current: { getPeerConnection(): RTCPeerConnection | null } | null };
  };
}

/**
 * The ICE username fragment of the current call's local description (null without one): an
 * ICE restart gives the peer connection a new one.
 */
export async function localIceUfrag(user: CallUser): Promise<string | null> {
  return user.page.evaluate(() => {
    const pc = (window as CallWindow).__duplexCall?.manager.current?.getPeerConnection();
    return /a=ice-ufrag:(\S+)/.exec(pc?.localDescription?.sdp ?? '')?.[1] ?? null;
  });
}
