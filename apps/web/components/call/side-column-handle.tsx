'use client';

import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import {
  maxSideWidth,
  nextPresetSideWidth,
  SIDE_COLUMN,
  sideWidthAfterKey,
} from '@/lib/call-layout';
import styles from './call.module.css';

/** A press that moves the pointer less than this is a click, not the start of a drag. */
const CLICK_SLOP_PX = 4;

/**
 * The edge between the stage and the page's column: drag it, click it (narrow, default, widest
 * in turn), or focus it and use the arrow keys (Shift for bigger steps, Home and End for the
 * limits), to give the page more or less room.
 */
export function SideColumnHandle({
  width,
  onResize,
  label,
}: {
  width: number;
  onResize: (width: number) => void;
  label: string;
}) {
  /** Where the pointer went down, and whether it has since moved far enough to be a drag. */
  const press = useRef<{ x: number; dragged: boolean } | null>(null);
  const viewportWidth = typeof window === 'undefined' ? 0 : window.innerWidth;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = sideWidthAfterKey(width, event.key, window.innerWidth, event.shiftKey);
    if (next === null) return;
    event.preventDefault();
    onResize(next);
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    press.current = { x: event.clientX, dragged: false };
    // Not in every environment (jsdom); the drag then follows the pointer only over the element.
    event.currentTarget.setPointerCapture?.(event.pointerId);
    event.preventDefault();
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const current = press.current;
    if (!current) return;
    if (!current.dragged && Math.abs(event.clientX - current.x) < CLICK_SLOP_PX) return;
    current.dragged = true;
    onResize(window.innerWidth - event.clientX);
  };
  const onPointerUp = () => {
    if (press.current && !press.current.dragged) {
      onResize(nextPresetSideWidth(width, window.innerWidth));
    }
    press.current = null;
  };
  const cancelPress = () => {
    press.current = null;
  };

  return (
    <div
      className={styles.sideHandle}
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      aria-valuenow={width}
      aria-valuemin={SIDE_COLUMN.minPx}
      aria-valuemax={maxSideWidth(viewportWidth)}
      aria-valuetext={`${width} pixels wide`}
      title="Drag, or click for the next width"
      tabIndex={0}
      data-testid="call-side-resize"
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={cancelPress}
    />
  );
}
