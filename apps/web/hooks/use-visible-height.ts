import { useEffect, type RefObject } from 'react';

/**
 * Writes on `ref`'s element how much of the window is visible, for CSS to size it by:
 * `--visible-height`, the visual viewport's height (what an on-screen keyboard leaves, where
 * `100dvh` would not shrink), and `--visible-top`, where the element starts in the page.
 * Updated when the visual viewport or the page's layout changes.
 */
export function useVisibleHeight(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const viewport = window.visualViewport;
    const update = () => {
      const height = viewport ? viewport.height : window.innerHeight;
      const top = element.getBoundingClientRect().top + window.scrollY;
      element.style.setProperty('--visible-height', `${Math.round(height)}px`);
      element.style.setProperty('--visible-top', `${Math.round(top)}px`);
    };
    update();
    viewport?.addEventListener('resize', update);
    window.addEventListener('resize', update);
    // What is above the element (the site's header) may change height without a resize.
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(update);
    observer?.observe(document.body);
    return () => {
      viewport?.removeEventListener('resize', update);
      window.removeEventListener('resize', update);
      observer?.disconnect();
    };
  }, [ref]);
}
