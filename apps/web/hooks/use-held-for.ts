import { useEffect, useState } from 'react';

/** True once `condition` has been true for `ms` without a break; false again as soon as it is not. */
export function useHeldFor(condition: boolean, ms: number): boolean {
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (!condition) {
      setHeld(false);
      return;
    }
    const timer = window.setTimeout(() => setHeld(true), ms);
    return () => window.clearTimeout(timer);
  }, [condition, ms]);
  return condition && held;
}
