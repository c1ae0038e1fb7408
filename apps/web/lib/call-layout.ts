/**
 * Where the call sits on the page. On a wide window the call takes the stage (the area below
 * the site header) and the page stays usable in a column beside it; on a narrow one (a phone)
 * the call fills the screen and the page is a tap away; minimised (or "Chat" on a phone), the
 * call folds into a slim bar at the top and the page has the rest.
 */

/** Windows at least this wide get the stage and the side column. */
export const STAGE_MIN_VIEWPORT_PX = 900;

export type ViewportClass = 'wide' | 'narrow';

/** stage: call and side column; full: the call fills the screen; bar: the page, the call in a slim bar. */
export type CallLayout = 'stage' | 'full' | 'bar';

export function viewportClass(width: number): ViewportClass {
  return width >= STAGE_MIN_VIEWPORT_PX ? 'wide' : 'narrow';
}

export function callLayout(viewport: ViewportClass, minimized: boolean): CallLayout {
  if (minimized) return 'bar';
  return viewport === 'wide' ? 'stage' : 'full';
}

/** The page's column beside the stage. */
export const SIDE_COLUMN = {
  defaultPx: 380,
  minPx: 300,
  maxPx: 720,
  /** The stage keeps at least this much. */
  minStagePx: 480,
  stepPx: 20,
  bigStepPx: 80,
  storageKey: 'duplex.call.sideColumnPx',
} as const;

/** The widest the side column may be in a window `viewportWidth` wide. */
export function maxSideWidth(viewportWidth: number): number {
  return Math.max(
    SIDE_COLUMN.minPx,
    Math.min(SIDE_COLUMN.maxPx, viewportWidth - SIDE_COLUMN.minStagePx),
  );
}

export function clampSideWidth(width: number, viewportWidth: number): number {
  return Math.round(Math.min(maxSideWidth(viewportWidth), Math.max(SIDE_COLUMN.minPx, width)));
}

/** A width saved in localStorage, or the default when there is none or it is not a number. */
export function parseSideWidth(stored: string | null): number {
  const value = stored === null ? NaN : Number(stored);
  return Number.isFinite(value) && value > 0 ? value : SIDE_COLUMN.defaultPx;
}

/**
 * The side column's width after `key` on its separator (which sits on the column's left edge:
 * left widens it, right narrows it), or null for a key the separator does not handle.
 */
export function sideWidthAfterKey(
  width: number,
  key: string,
  viewportWidth: number,
  shift = false,
): number | null {
  const step = shift ? SIDE_COLUMN.bigStepPx : SIDE_COLUMN.stepPx;
  switch (key) {
    case 'ArrowLeft':
      return clampSideWidth(width + step, viewportWidth);
    case 'ArrowRight':
      return clampSideWidth(width - step, viewportWidth);
    case 'PageUp':
      return clampSideWidth(width + SIDE_COLUMN.bigStepPx, viewportWidth);
    case 'PageDown':
      return clampSideWidth(width - SIDE_COLUMN.bigStepPx, viewportWidth);
    case 'Home':
      return SIDE_COLUMN.minPx;
    case 'End':
      return maxSideWidth(viewportWidth);
    default:
      return null;
  }
}

/**
 * The width a click (or tap) on the separator gives the side column: the next of narrow,
 * default and widest, after the present width, back to narrow after the widest. Dragging is
 * then never the only way to resize with a pointer (WCAG 2.2, 2.5.7).
 */
export function nextPresetSideWidth(width: number, viewportWidth: number): number {
  const presets = [SIDE_COLUMN.minPx, SIDE_COLUMN.defaultPx, maxSideWidth(viewportWidth)];
  return presets.find((preset) => preset > width) ?? SIDE_COLUMN.minPx;
}

/** What the page beside the call is called on its controls: the chat in a room, else the page. */
export function sideContentName(pathname: string | null): 'chat' | 'page' {
  return pathname?.startsWith('/rooms/') ? 'chat' : 'page';
}

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** The corner of `area` nearest to `point`: where a tile dropped at `point` settles. */
export function nearestCorner(
  point: { x: number; y: number },
  area: { left: number; top: number; width: number; height: number },
): Corner {
  const vertical = point.y < area.top + area.height / 2 ? 'top' : 'bottom';
  const horizontal = point.x < area.left + area.width / 2 ? 'left' : 'right';
  return `${vertical}-${horizontal}`;
}
