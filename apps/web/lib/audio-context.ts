type AudioContextConstructor = new () => AudioContext;

/** A new AudioContext (the prefixed one in older Safari), or null where WebAudio is missing or refused. */
export function createAudioContext(): AudioContext | null {
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
