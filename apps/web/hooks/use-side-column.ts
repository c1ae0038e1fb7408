import { useCallback, useEffect, useState } from 'react';
import { clampSideWidth, parseSideWidth, SIDE_COLUMN } from '@/lib/call-layout';

export interface SideColumn {
  /** Width of the page's column beside the stage, in px (within the window's limits). */
  width: number;
  setWidth: (width: number) => void;
  /** Hidden: the call has the whole area below the header. */
  collapsed: boolean;
  setCollapsed: (collapsed: boolean) => void;
}

function readStoredWidth(): number {
  try {
    return parseSideWidth(window.localStorage.getItem(SIDE_COLUMN.storageKey));
  } catch {
    return SIDE_COLUMN.defaultPx;
  }
}

/** The side column's width (kept in localStorage for the next call) and whether it is hidden. */
export function useSideColumn(): SideColumn {
  const [stored, setStored] = useState<number>(SIDE_COLUMN.defaultPx);
  const [viewportWidth, setViewportWidth] = useState<number | null>(null);
  const [collapsed, setCollapsed] = useState(false);

  useEffect(() => {
    setStored(readStoredWidth());
    const measure = () => setViewportWidth(window.innerWidth);
    measure();
    window.addEventListener('resize', measure);
    return () => window.removeEventListener('resize', measure);
  }, []);

  const setWidth = useCallback((width: number) => {
    const next = clampSideWidth(width, window.innerWidth);
    setStored(next);
    try {
      window.localStorage.setItem(SIDE_COLUMN.storageKey, String(next));
    } catch {
      // Storage refused (private mode, quota): the width lasts for this page only.
    }
  }, []);

  const width = viewportWidth === null ? stored : clampSideWidth(stored, viewportWidth);
  return { width, setWidth, collapsed, setCollapsed };
}
