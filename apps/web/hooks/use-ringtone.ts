import { useEffect, useState } from 'react';
import { startTone, type TonePattern } from '@/lib/ringtone';

/**
 * Plays `pattern` while it is not null and stops it as soon as it is (answer, decline, hang-up,
 * unmount). Returns whether the tone is audible: false while the browser keeps audio locked.
 */
export function useRingtone(pattern: TonePattern | null): boolean {
  const [audible, setAudible] = useState(false);
  useEffect(() => {
    if (!pattern) return;
    return startTone(pattern, setAudible);
  }, [pattern]);
  return pattern !== null && audible;
}
