import { useEffect, type RefObject } from 'react';
import type { CallLayout } from '@/lib/call-layout';

/**
 * Shapes the page around the call (see components/call/call-stage.css): `<html>` gets
 * `data-call-layout` (stage, full or bar) and `data-call-side` (shown or collapsed), and the
 * sizes the rules need as custom properties: `--call-top` (the site header's height),
 * `--call-side-width` and `--call-bar-height` (the call bar's height, measured). In `full` the
 * page under the call is inert: Tab stays in the call. All of it goes when the view does.
 */
export function useCallPageLayout(
  layout: CallLayout,
  side: { width: number; collapsed: boolean },
  viewRef: RefObject<HTMLElement | null>,
): void {
  useEffect(() => {
    const root = document.documentElement;
    root.dataset.callLayout = layout;
    const shell = document.querySelector('.app-shell');
    if (layout === 'full') shell?.setAttribute('inert', '');
    else shell?.removeAttribute('inert');

    const header = document.querySelector<HTMLElement>('.site-header');
    const view = viewRef.current;
    const measure = () => {
      root.style.setProperty('--call-top', `${header?.offsetHeight ?? 0}px`);
      if (view && layout === 'bar')
        root.style.setProperty('--call-bar-height', `${view.offsetHeight}px`);
    };
    measure();
    const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(measure) : null;
    if (header) observer?.observe(header);
    if (view) observer?.observe(view);
    return () => {
      observer?.disconnect();
      delete root.dataset.callLayout;
      root.style.removeProperty('--call-top');
      root.style.removeProperty('--call-bar-height');
      shell?.removeAttribute('inert');
    };
  }, [layout, viewRef]);

  useEffect(() => {
    const root = document.documentElement;
    root.style.setProperty('--call-side-width', `${side.width}px`);
    root.dataset.callSide = side.collapsed ? 'collapsed' : 'shown';
    return () => {
      root.style.removeProperty('--call-side-width');
      delete root.dataset.callSide;
    };
  }, [side.width, side.collapsed]);
}
