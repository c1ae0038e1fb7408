'use client';

import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { useCallPageLayout } from '@/hooks/use-call-page-layout';
import type { SideColumn } from '@/hooks/use-side-column';
import type { CallLayout } from '@/lib/call-layout';
import { focusIsLost, focusPage, isTyping, takeFocus } from '@/lib/call-focus';
import { SideColumnHandle } from './side-column-handle';
import styles from './call.module.css';

/**
 * The call view's outer box in every layout: the `call-view` section, the page shaped around it,
 * the edge to resize the page's column on the stage, and where focus goes as the layout
 * changes. Takes focus (its heading) when it appears, unless the user is typing.
 */
export function CallFrame({
  layout,
  side,
  sideName,
  label,
  headingRef,
  viewRef,
  attributes,
  children,
}: {
  layout: CallLayout;
  side: SideColumn;
  sideName: string;
  label: string;
  headingRef: RefObject<HTMLHeadingElement | null>;
  viewRef: RefObject<HTMLElement | null>;
  /** data-* attributes for the section (phase, remote video, speaking…). */
  attributes: Record<`data-${string}`, string | undefined>;
  children: ReactNode;
}) {
  useCallPageLayout(layout, side, viewRef);

  useEffect(() => {
    if (!isTyping(document.activeElement)) takeFocus(headingRef.current);
  }, [headingRef]);

  // A control that the new layout hides (Chat, Full screen) must not keep focus out of sight;
  // on a phone, the full-screen call makes the page inert, so focus comes into the call.
  const previousLayout = useRef(layout);
  useEffect(() => {
    if (previousLayout.current === layout) return;
    previousLayout.current = layout;
    const view = viewRef.current;
    const active = document.activeElement;
    const inView = view !== null && active !== null && view.contains(active);
    const hidden = inView && active instanceof HTMLElement && active.getClientRects().length === 0;
    if (layout === 'full' && !inView) takeFocus(headingRef.current);
    else if (focusIsLost() || hidden) {
      if (layout === 'bar') focusPage();
      else headingRef.current?.focus();
    }
  }, [layout, viewRef, headingRef]);

  return (
    <section
      ref={viewRef}
      className={styles.view}
      data-testid="call-view"
      data-call-ui=""
      data-layout={layout}
      data-side={layout === 'stage' ? (side.collapsed ? 'collapsed' : 'shown') : undefined}
      aria-label={label}
      {...attributes}
    >
      {children}
      {layout === 'stage' && !side.collapsed ? (
        <SideColumnHandle
          width={side.width}
          onResize={side.setWidth}
          label={`Resize the ${sideName} beside the call`}
        />
      ) : null}
    </section>
  );
}
