type AudioContextConstructor = new () => AudioContext;

/** A new AudioContext (the prefixed one in older Safari), or null where WebAudio is missing or refused. */
function createAudioContext(): AudioContext | null {
  const Context =
    window.AudioContext ??
    (window as unknown as { webkitAudioContext?: AudioContextConstructor }).webkitAudioContext;
  if (!Context) return null;
  try {
    return new Context();
  } catch {
    return null;
  }
}

/** The page's AudioContext, held until `release` (a second call does nothing). */
export interface AudioContextHold {
  readonly context: AudioContext;
  release(): void;
}

/** How long the shared AudioContext stays running after the last hold was released. */
const IDLE_SUSPEND_MS = 4000;

/**
 * One AudioContext for every sound and meter of the page (ring tones, speaking indicators), made
 * on first use and then kept: opening an audio output costs tens of milliseconds of CPU, and a
 * call needs one exactly while it is set up (the ring when the invite arrives, the meters once
 * media flow). A second context would open a second output. It is suspended a few seconds after
 * the last hold was released, so an idle page renders no audio.
 */
let shared: AudioContext | null = null;
let holds = 0;
let suspendTimer: number | undefined;

export function holdAudioContext(): AudioContextHold | null {
  window.clearTimeout(suspendTimer);
  if (!shared || shared.state === 'closed') {
    shared = createAudioContext();
    if (!shared) return null;
  }
  const context = shared;
  holds++;
  let released = false;
  return {
    context,
    release() {
      if (released) return;
      released = true;
      releaseContext(context);
    },
  };
}

function releaseContext(context: AudioContext): void {
  holds--;
  if (holds > 0) return;
  suspendTimer = window.setTimeout(() => {
    if (holds > 0 || context.state !== 'running') return;
    // A hold taken while this suspend is under way still reads `running`: resume after.
    void context
      .suspend()
      .catch(() => {})
      .then(() => {
        if (holds > 0) void context.resume().catch(() => {});
      });
  }, IDLE_SUSPEND_MS);
}
