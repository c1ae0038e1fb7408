'use client';

import { useRef, useState, type PointerEvent, type RefObject } from 'react';
import { nearestCorner, type Corner } from '@/lib/call-layout';
import styles from './call.module.css';

const NEXT_CORNER: Record<Corner, Corner> = {
  'bottom-right': 'bottom-left',
  'bottom-left': 'top-left',
  'top-left': 'top-right',
  'top-right': 'bottom-right',
};

/** Below this many px a press is a click (next corner), not a drag. */
const DRAG_THRESHOLD_PX = 6;

/**
 * Your own picture (your camera mirrored, or "You") in a corner of the stage, ringed while you
 * speak. Drag it to another corner, or click it (Enter, Space) to move it to the next one.
 */
export function LocalTile({
  videoRef,
  showVideo,
  speaking,
  hidden,
}: {
  videoRef: RefObject<HTMLVideoElement | null>;
  showVideo: boolean;
  speaking: boolean;
  hidden: boolean;
}) {
  const [corner, setCorner] = useState<Corner>('bottom-right');
  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null);

  const onPointerDown = (event: PointerEvent<HTMLButtonElement>) => {
    if (event.button !== 0) return;
    drag.current = { x: event.clientX, y: event.clientY, moved: false };
    // Not in every environment (jsdom); the drag then follows the pointer only over the element.
    event.currentTarget.setPointerCapture?.(event.pointerId);
  };
  const onPointerMove = (event: PointerEvent<HTMLButtonElement>) => {
    const start = drag.current;
    if (!start) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (!start.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
    start.moved = true;
    event.currentTarget.style.transform = `translate(${dx}px, ${dy}px)`;
  };
  const onPointerUp = (event: PointerEvent<HTMLButtonElement>) => {
    const start = drag.current;
    const tile = event.currentTarget;
    tile.style.transform = '';
    if (!start?.moved) return;
    const area = tile.parentElement?.getBoundingClientRect();
    if (area) setCorner(nearestCorner({ x: event.clientX, y: event.clientY }, area));
  };
  const onClick = () => {
    const moved = drag.current?.moved ?? false;
    drag.current = null;
    if (!moved) setCorner(NEXT_CORNER[corner]);
  };

  return (
    <button
      type="button"
      className={styles.localTile}
      data-testid="local-tile"
      data-speaking={speaking ? 'true' : 'false'}
      data-camera={showVideo ? 'true' : 'false'}
      data-corner={corner}
      hidden={hidden}
      aria-label="You: move your picture to the next corner"
      title="Drag to another corner, or click to move it"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={(event) => {
        drag.current = null;
        event.currentTarget.style.transform = '';
      }}
      onClick={onClick}
    >
      <video
        ref={videoRef}
        className={styles.localVideo}
        data-testid="local-video"
        autoPlay
        playsInline
        muted
        hidden={!showVideo}
        aria-hidden="true"
      />
      {!showVideo ? (
        <span className={styles.localInitial} aria-hidden="true">
          You
        </span>
      ) : null}
    </button>
  );
}
