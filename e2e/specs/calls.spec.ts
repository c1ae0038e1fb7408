/**
 * 1:1 calls between users each in a browser of their own (Chromium's fake camera and
 * microphone): a video call with media both ways, mute and hang-up; a declined call; busy with
 * a third browser; the callee's browser closing mid-call; and both sides turning their camera
 * on at the same moment (glare, resolved by perfect negotiation).
 *
 * Media is checked in the page: decoded frames from the page's RTCPeerConnection `getStats()`
 * and `remote-video`'s size; sound with a WebAudio analyser on the remote audio track (the fake
 * microphone beeps; a muted one sends silence). Timings go to the report's annotations.
 */
import { expect, test } from '@playwright/test';
import {
  closeCallUsers,
  connectCall,
  CONNECT_TIMEOUT_MS,
  joinCallRoom,
  launchCallUsers,
  record,
  type CallUser,
} from '../support/call-page.js';
import { ENV } from '../support/env.js';
import { uniqueRoomName } from '../support/room-page.js';

/**
 * Levels of the fake microphone's beep as the peer hears it (RMS of 2048 samples, max over 2 s):
 * measured here at about 0.3 while it plays and below 0.001 from a muted (disabled) track.
 */
const AUDIBLE_RMS = 0.02;
const SILENT_RMS = 0.005;

/** Hang-up must reach both pages within this, from the click (the bye itself takes < 10 ms). */
const HANGUP_PROPAGATION_LIMIT_MS = 1_000;

/** Date.now() of a frame log line (`HH:MM:SS.mmm ...`, UTC, today). */
function frameTime(line: string): number {
  const day = new Date().toISOString().slice(0, 10);
  return Date.parse(`${day}T${line.slice(0, 12)}Z`);
}

test.describe('calls', () => {
  let users: CallUser[] = [];

  test.afterEach(async ({}, testInfo) => {
    await closeCallUsers(users, testInfo);
    users = [];
  });

  test('a video call: both decode video and hear audio, mute silences, hang-up ends both within 1 s', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('video-call'));

    await connectCall(ann, bob, true, testInfo);
    for (const user of users) {
      await expect(user.view).toHaveAttribute('data-phase', 'connected');
      await expect(user.camera).toHaveAttribute('aria-pressed', 'true');
      await expect(user.mute).toHaveAttribute('aria-pressed', 'false');
    }

    // The first offer rang with the invite and its answer came back in the accept: with both
    // sides connected, the first exchange is over, and it took no call.offer or call.answer.
    const sent = (user: CallUser, event: string) =>
      user.chat.frames.lines.filter((line) => line.includes(`-> {"event":"${event}"`));
    expect(sent(ann, 'call.invite')).toHaveLength(1);
    expect(sent(ann, 'call.invite')[0], 'the invite carries the offer').toContain('"sdp":"v=0');
    expect(sent(bob, 'call.accept')).toHaveLength(1);
    expect(sent(bob, 'call.accept')[0], 'the accept carries the answer').toContain('"sdp":"v=0');
    expect(sent(ann, 'call.offer'), 'no separate offer').toEqual([]);
    expect(sent(bob, 'call.answer'), 'no separate answer').toEqual([]);

    // Video both ways: frames decoded and rising, the element sized.
    const flows = await Promise.all(users.map((user) => user.expectDecodingVideo()));
    for (const [index, user] of users.entries()) {
      const flow = flows[index]!;
      await user.expectShowsRemoteVideo(flow);
      record(
        testInfo,
        'video',
        `${user.name} decodes ${flow.fps} fps (framesDecoded ${flow.before} → ${flow.after}), ` +
          `remote-video ${flow.videoWidth}x${flow.videoHeight}`,
      );
    }

    // Audio both ways: the fake microphone's beep comes through.
    const [annHears, bobHears] = await Promise.all([
      ann.remoteAudioLevel(),
      bob.remoteAudioLevel(),
    ]);
    record(
      testInfo,
      'audio',
      `RMS max: Ann hears Bob ${annHears.toFixed(4)}, Bob hears Ann ${bobHears.toFixed(4)}`,
    );
    expect(annHears, 'Ann hears Bob').toBeGreaterThan(AUDIBLE_RMS);
    expect(bobHears, 'Bob hears Ann').toBeGreaterThan(AUDIBLE_RMS);

    // Ann mutes: Bob hears silence from her, while Ann still hears Bob.
    await ann.mute.click();
    await expect(ann.mute).toHaveAttribute('aria-pressed', 'true');
    let mutedLevel = 1;
    await expect
      .poll(async () => (mutedLevel = await bob.remoteAudioLevel()), {
        message: 'Bob hears silence from muted Ann',
        timeout: 15_000,
        intervals: [0],
      })
      .toBeLessThan(SILENT_RMS);
    const annStillHears = await ann.remoteAudioLevel();
    record(
      testInfo,
      'audio',
      `Ann muted: Bob hears Ann ${mutedLevel.toFixed(4)}, Ann hears Bob ${annStillHears.toFixed(4)}`,
    );
    expect(annStillHears, 'Ann still hears Bob while muted').toBeGreaterThan(AUDIBLE_RMS);
    await expect(ann.state).toHaveAttribute('data-phase', 'connected');

    // Unmuted, Ann is heard again.
    await ann.mute.click();
    await expect(ann.mute).toHaveAttribute('aria-pressed', 'false');
    let unmutedLevel = 0;
    await expect
      .poll(async () => (unmutedLevel = await bob.remoteAudioLevel()), {
        message: 'Bob hears Ann again once she unmuted',
        timeout: 15_000,
        intervals: [0],
      })
      .toBeGreaterThan(AUDIBLE_RMS);
    record(testInfo, 'audio', `Ann unmuted: Bob hears Ann ${unmutedLevel.toFixed(4)}`);

    // Hang up: both pages show the call ended within a second of the click.
    const clickedAt = Date.now();
    await ann.hangup.click();
    await Promise.all(
      users.map((user) =>
        expect(user.state, `${user.name}: call ended after the hang-up`).toHaveAttribute(
          'data-phase',
          'ended',
          { timeout: 5_000 },
        ),
      ),
    );
    const elapsed = Date.now() - clickedAt;
    const hungUp = await ann.traceTime('call-hangup', clickedAt - 1_000);
    const annEnded = await ann.traceTime('ended', hungUp);
    const bobEnded = await bob.traceTime('ended', hungUp);
    record(
      testInfo,
      'timing',
      `hang-up: click → both pages show ended ${elapsed} ms (seen by the test); in the pages: ` +
        `click → Ann ended ${annEnded - hungUp} ms, click → Bob ended ${bobEnded - hungUp} ms`,
    );
    // On the pages' clock: the test's own view (`elapsed`) adds the runner's polling lag.
    for (const [name, ended] of [
      ['Ann', annEnded],
      ['Bob', bobEnded],
    ] as const) {
      expect(ended - hungUp, `hang-up reached ${name}'s page (ms from the click)`).toBeLessThan(
        HANGUP_PROPAGATION_LIMIT_MS,
      );
    }
    await expect(ann.state).toHaveAttribute('data-end-reason', 'hangup');
    await expect(bob.state).toHaveAttribute('data-end-reason', 'remote-hangup');
    await expect(bob.state).toContainText('Ann hung up');
  });

  test('a declined call ends on the caller’s side with reason declined', async ({
    baseURL,
  }, testInfo) => {
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('decline'));

    await ann.call(bob, true);
    await bob.expectIncoming(true);
    await ann.expectPhase('ringing-out');
    await expect(bob.incoming).toContainText('Ann');

    const clickedAt = Date.now();
    await bob.decline.click();
    await ann.expectPhase('ended', 5_000);
    record(testInfo, 'timing', `decline click → caller shows ended ${Date.now() - clickedAt} ms`);
    await expect(ann.state).toHaveAttribute('data-end-reason', 'declined');
    await expect(ann.state).toContainText('Bob declined');
    // The one who declined gets no "call ended" screen, and the prompt is gone.
    await expect(bob.incoming).toHaveCount(0);
    await expect(bob.view).toHaveCount(0);
    await expect(ann.error).toHaveCount(0);
  });

  test('a third browser gets busy calling either party of a ringing or active call', async ({
    baseURL,
  }) => {
    test.setTimeout(120_000);
    // First visit: each side opens its media before it rings or accepts.
    users = await launchCallUsers(baseURL, ['Ann', 'Bob', 'Cid'], { firstVisit: true });
    const [ann, bob, cid] = users as [CallUser, CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('busy'));

    /** Cid calls `peer`: the call is refused with busy, and Cid is left with no call. */
    async function expectBusy(peer: CallUser, video: boolean): Promise<void> {
      await cid.call(peer, video);
      await cid.expectError('busy');
      await expect(cid.error).toContainText(`${peer.name} is busy`);
      await expect(cid.view, 'Cid: no call view after busy').toHaveCount(0);
      await cid.errorDismiss.click();
      await expect(cid.error).toHaveCount(0);
    }

    // Ringing: Ann calls Bob, Bob has not answered yet.
    await ann.call(bob, false);
    await bob.expectIncoming(false);
    await ann.expectPhase('ringing-out');
    await expectBusy(bob, true);
    await expectBusy(ann, false);
    // Bob still sees Ann's call ringing, and nobody else's.
    await expect(bob.incoming).toHaveCount(1);
    await expect(bob.incoming).toContainText('Ann');
    await expect(bob.state).toHaveAttribute('data-phase', 'ringing-in');
    await expect(ann.state).toHaveAttribute('data-phase', 'ringing-out');

    // Active: Bob accepts; Cid is refused all the same.
    await bob.accept.click();
    await Promise.all([ann.expectPhase('connected'), bob.expectPhase('connected')]);
    await expectBusy(bob, false);
    await expectBusy(ann, true);
    for (const user of [ann, bob]) {
      await expect(user.state, `${user.name}: still connected`).toHaveAttribute(
        'data-phase',
        'connected',
      );
      await expect(user.incoming).toHaveCount(0);
      await expect(user.error).toHaveCount(0);
    }

    await ann.hangup.click();
    await Promise.all([ann.expectPhase('ended', 5_000), bob.expectPhase('ended', 5_000)]);
  });

  test('the callee’s browser closing mid-call ends the caller’s call with peer_disconnected', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('vanish'));

    await connectCall(ann, bob, true, testInfo);
    await ann.expectDecodingVideo();

    const graceMs = Number(process.env[ENV.resumeGraceMs] ?? 5_000);
    const closedAt = Date.now();
    await bob.chat.browser.close();
    // The api ends the call once Bob's session is past its grace period (plus the ICE watch's own
    // reaction); give it far more than that.
    await expect(ann.state, 'Ann: call ended after Bob vanished').toHaveAttribute(
      'data-phase',
      'ended',
      { timeout: graceMs + 25_000 },
    );
    const ended = await ann.traceTime('ended', closedAt);
    const phases = (await ann.trace()).filter((e) => e.kind === 'phase' && e.t >= closedAt);
    record(
      testInfo,
      'timing',
      `callee browser closed → caller ended ${ended - closedAt} ms (api resume grace ${graceMs} ms); ` +
        `caller phases since: ${phases.map((e) => `${e.what}@+${e.t - closedAt}`).join(', ')}`,
    );
    await expect(ann.state).toHaveAttribute('data-end-reason', 'peer_disconnected');
    await expect(ann.state).toContainText('connection was lost');
    await expect(ann.state).toContainText('Bob');
  });

  test('both turn the camera on at once in an audio call: video flows both ways (glare)', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await joinCallRoom(users, uniqueRoomName('glare'));

    await connectCall(ann, bob, false, testInfo);
    for (const user of users) {
      await expect(user.camera).toHaveAttribute('aria-pressed', 'false');
      await expect(user.view).toHaveAttribute('data-remote-video', 'false');
      await expect(user.camera).toBeEnabled();
      expect(await user.remoteVideoSamples(), `${user.name}: no remote video yet`).toEqual([]);
    }

    // Both at the same moment: two offers cross; the callee (polite) gives way.
    const clickedAt = Date.now();
    await Promise.all([ann.camera.click(), bob.camera.click()]);
    for (const user of users) {
      await expect(user.camera, `${user.name}: camera on`).toHaveAttribute('aria-pressed', 'true', {
        timeout: CONNECT_TIMEOUT_MS,
      });
    }

    const flows = await Promise.all(users.map((user) => user.expectDecodingVideo()));
    record(
      testInfo,
      'timing',
      `both camera clicks → both decoding video ${Date.now() - clickedAt} ms`,
    );
    // Whether the offers really crossed (each side sent one after the clicks): the glare case.
    const offersSent = users.map(
      (user) =>
        user.chat.frames.lines.filter(
          (line) => line.includes('-> {"event":"call.offer"') && frameTime(line) >= clickedAt,
        ).length,
    );
    record(
      testInfo,
      'negotiation',
      `offers sent after the camera clicks: Ann ${offersSent[0]}, Bob ${offersSent[1]}` +
        (offersSent.every((n) => n > 0) ? ' (glare: the offers crossed)' : ' (no glare this time)'),
    );
    for (const [index, user] of users.entries()) {
      const flow = flows[index]!;
      record(
        testInfo,
        'video',
        `${user.name} decodes ${flow.fps} fps (framesDecoded ${flow.before} → ${flow.after}), ` +
          `remote-video ${flow.videoWidth}x${flow.videoHeight}`,
      );
      // The one who gave way on glare (the callee) must show the video too.
      await user.expectShowsRemoteVideo(flow);
      await expect(user.state, `${user.name}: still connected`).toHaveAttribute(
        'data-phase',
        'connected',
      );
      await expect(user.error, `${user.name}: no call error`).toHaveCount(0);
      expect(await user.connectionState()).toBe('connected');
    }
    // Renegotiation settled on both sides.
    for (const user of users) {
      await expect
        .poll(() => user.signalingState(), { message: `${user.name}: signalingState` })
        .toBe('stable');
    }

    await ann.hangup.click();
    await Promise.all([ann.expectPhase('ended', 5_000), bob.expectPhase('ended', 5_000)]);
  });
});
