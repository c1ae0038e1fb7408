import { useCallback, useEffect, useState, type RefObject } from 'react';

/**
 * Full screen for `ref`'s element with the Fullscreen API: whether it is the fullscreen element
 * now (Esc leaves, and this follows), and a toggle. `supported` is false where the API is
 * missing or disallowed (the button is then left out).
 */
export function useFullscreen(ref: RefObject<HTMLElement | null>) {
  const [active, setActive] = useState(false);
  const [supported, setSupported] = useState(false);

  useEffect(() => {
    setSupported(document.fullscreenEnabled === true);
    const sync = () =>
      setActive(ref.current !== null && document.fullscreenElement === ref.current);
    document.addEventListener('fullscreenchange', sync);
    return () => {
      document.removeEventListener('fullscreenchange', sync);
      // The view going away ends its full screen with it.
      if (ref.current && document.fullscreenElement === ref.current)
        void document.exitFullscreen().catch(() => {});
    };
  }, [ref]);

  const toggle = useCallback(() => {
    const element = ref.current;
    if (!element) return;
    if (document.fullscreenElement === element) void document.exitFullscreen().catch(() => {});
    else void element.requestFullscreen().catch(() => {});
  }, [ref]);

  return { active, supported, toggle };
}
