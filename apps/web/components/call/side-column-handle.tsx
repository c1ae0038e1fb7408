'use client';

import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { maxSideWidth, SIDE_COLUMN, sideWidthAfterKey } from '@/lib/call-layout';
import styles from './call.module.css';

/**
 * The edge between the stage and the page's column: drag it, or focus it and use the arrow
 * keys (Shift for bigger steps, Home and End for the limits), to give the page more or less room.
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
  const dragging = useRef(false);
  const viewportWidth = typeof window === 'undefined' ? 0 : window.innerWidth;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const next = sideWidthAfterKey(width, event.key, window.innerWidth, event.shiftKey);
    if (next === null) return;
    event.preventDefault();
    onResize(next);
  };

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    dragging.current = true;
    // Not in every environment (jsdom); the drag then follows the pointer only over the element.
    event.currentTarget.setPointerCapture?.(event.pointerId);
    event.preventDefault();
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) onResize(window.innerWidth - event.clientX);
  };
  const stopDragging = () => {
    dragging.current = false;
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
      tabIndex={0}
      data-testid="call-side-resize"
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={stopDragging}
      onPointerCancel={stopDragging}
    />
  );
}
