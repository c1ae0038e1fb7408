import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';

export interface LoadOnReach<T extends Element> {
  /** Put on the element at the end of the list: loading starts when it scrolls into view. */
  sentinelRef: RefObject<T | null>;
  loading: boolean;
  /** Why the last load failed; cleared by the next one. Nothing loads by itself meanwhile. */
  error: string | null;
  /** Loads the next page now (the "Show more" button, for keyboards and screen readers). */
  load: () => void;
}

/**
 * Loads the next page of a list when its sentinel comes into view, one load at a time, for as
 * long as `hasMore`. Watched again after every page, so a list still too short to scroll keeps
 * loading. A failure stops the automatic loading until `load` is called again.
 */
export function useLoadOnReach<T extends Element>(
  hasMore: boolean,
  loadPage: () => Promise<unknown>,
): LoadOnReach<T> {
  const sentinelRef = useRef<T | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pages, setPages] = useState(0);
  const inFlight = useRef(false);
  const mounted = useRef(true);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const load = useCallback(() => {
    if (inFlight.current) return;
    inFlight.current = true;
    setLoading(true);
    setError(null);
    loadPage().then(
      () => {
        inFlight.current = false;
        if (!mounted.current) return;
        setLoading(false);
        setPages((count) => count + 1);
      },
      (failure: unknown) => {
        inFlight.current = false;
        if (!mounted.current) return;
        setLoading(false);
        setError(failure instanceof Error ? failure.message : String(failure));
      },
    );
  }, [loadPage]);

  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!hasMore || loading || error || !sentinel) return;
    // The page's viewport as root: it also sees the clipping of any scrolled container between.
    const observer = new IntersectionObserver((entries) => {
      if (!entries.some((entry) => entry.isIntersecting)) return;
      observer.disconnect();
      load();
    });
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, loading, error, pages, load]);

  return { sentinelRef, loading, error, load };
}
