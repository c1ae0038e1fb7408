import { useSyncExternalStore } from 'react';
import { STAGE_MIN_VIEWPORT_PX, type ViewportClass } from '@/lib/call-layout';

const QUERY = `(min-width: ${STAGE_MIN_VIEWPORT_PX}px)`;

function subscribe(onChange: () => void): () => void {
  const list = window.matchMedia(QUERY);
  list.addEventListener('change', onChange);
  return () => list.removeEventListener('change', onChange);
}

/** 'wide' from {@link STAGE_MIN_VIEWPORT_PX} on (the call takes the stage), else 'narrow'. */
export function useViewportClass(): ViewportClass {
  return useSyncExternalStore(
    subscribe,
    () => (window.matchMedia(QUERY).matches ? 'wide' : 'narrow'),
    () => 'wide',
  );
}
