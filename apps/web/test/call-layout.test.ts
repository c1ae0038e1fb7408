import { describe, expect, it } from 'vitest';
import {
  callLayout,
  clampSideWidth,
  maxSideWidth,
  nearestCorner,
  parseSideWidth,
  SIDE_COLUMN,
  sideContentName,
  sideWidthAfterKey,
  nextPresetSideWidth,
  viewportClass,
} from '@/lib/call-layout';

describe('call layout', () => {
  it('puts the call on the stage on a wide window and full screen on a narrow one', () => {
    expect(viewportClass(1366)).toBe('wide');
    expect(viewportClass(900)).toBe('wide');
    expect(viewportClass(899)).toBe('narrow');
    expect(viewportClass(390)).toBe('narrow');
    expect(callLayout('wide', false)).toBe('stage');
    expect(callLayout('narrow', false)).toBe('full');
  });

  it('folds the call into the bar when minimised, on any window', () => {
    expect(callLayout('wide', true)).toBe('bar');
    expect(callLayout('narrow', true)).toBe('bar');
  });
});

describe('side column width', () => {
  it('keeps the column between its minimum and what leaves the stage its minimum', () => {
    expect(clampSideWidth(100, 1366)).toBe(SIDE_COLUMN.minPx);
    expect(clampSideWidth(2000, 1366)).toBe(SIDE_COLUMN.maxPx);
    expect(maxSideWidth(1000)).toBe(1000 - SIDE_COLUMN.minStagePx);
    expect(clampSideWidth(700, 1000)).toBe(1000 - SIDE_COLUMN.minStagePx);
    expect(clampSideWidth(412.6, 1366)).toBe(413);
    // A window too small for both: the column keeps its minimum.
    expect(maxSideWidth(700)).toBe(SIDE_COLUMN.minPx);
  });

  it('reads a stored width, or the default for none or garbage', () => {
    expect(parseSideWidth('420')).toBe(420);
    expect(parseSideWidth(null)).toBe(SIDE_COLUMN.defaultPx);
    expect(parseSideWidth('wide')).toBe(SIDE_COLUMN.defaultPx);
    expect(parseSideWidth('-5')).toBe(SIDE_COLUMN.defaultPx);
  });

  it('widens with ArrowLeft and narrows with ArrowRight (the separator is the left edge)', () => {
    expect(sideWidthAfterKey(380, 'ArrowLeft', 1366)).toBe(380 + SIDE_COLUMN.stepPx);
    expect(sideWidthAfterKey(380, 'ArrowRight', 1366)).toBe(380 - SIDE_COLUMN.stepPx);
    expect(sideWidthAfterKey(380, 'ArrowLeft', 1366, true)).toBe(380 + SIDE_COLUMN.bigStepPx);
    expect(sideWidthAfterKey(380, 'PageDown', 1366)).toBe(380 - SIDE_COLUMN.bigStepPx);
  });

  it('goes to the limits with Home and End, and stops there', () => {
    expect(sideWidthAfterKey(380, 'Home', 1366)).toBe(SIDE_COLUMN.minPx);
    expect(sideWidthAfterKey(380, 'End', 1366)).toBe(maxSideWidth(1366));
    expect(sideWidthAfterKey(SIDE_COLUMN.minPx, 'ArrowRight', 1366)).toBe(SIDE_COLUMN.minPx);
  });

  it('steps through narrow, default and widest on a click, then back to narrow', () => {
    const widest = maxSideWidth(1366);
    expect(nextPresetSideWidth(SIDE_COLUMN.minPx, 1366)).toBe(SIDE_COLUMN.defaultPx);
    expect(nextPresetSideWidth(SIDE_COLUMN.defaultPx, 1366)).toBe(widest);
    expect(nextPresetSideWidth(widest, 1366)).toBe(SIDE_COLUMN.minPx);
    expect(nextPresetSideWidth(450, 1366)).toBe(widest);
  });

  it('ignores other keys', () => {
    expect(sideWidthAfterKey(380, 'Enter', 1366)).toBeNull();
    expect(sideWidthAfterKey(380, 'ArrowUp', 1366)).toBeNull();
  });
});

describe('sideContentName', () => {
  it('calls the page beside the call "chat" in a room, else "page"', () => {
    expect(sideContentName('/rooms/general')).toBe('chat');
    expect(sideContentName('/echo')).toBe('page');
    expect(sideContentName(null)).toBe('page');
  });
});

describe('nearestCorner', () => {
  const area = { left: 100, top: 50, width: 800, height: 600 };
  it('settles a dropped tile in the corner of the quarter it was dropped in', () => {
    expect(nearestCorner({ x: 120, y: 60 }, area)).toBe('top-left');
    expect(nearestCorner({ x: 880, y: 100 }, area)).toBe('top-right');
    expect(nearestCorner({ x: 200, y: 600 }, area)).toBe('bottom-left');
    expect(nearestCorner({ x: 600, y: 400 }, area)).toBe('bottom-right');
  });
  it('measures from the area, not from the window', () => {
    // x = 450 is left of the area's middle (500), though right of the window's 400.
    expect(nearestCorner({ x: 450, y: 400 }, area)).toBe('bottom-left');
  });
});
