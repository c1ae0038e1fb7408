import { createContext, useContext } from 'react';

export interface DisplayNameState {
  /** The name the shared client introduces itself with; null on the server and before hydration. */
  name: string | null;
  /**
   * Remembers a new (already validated, trimmed) name and reconnects the shared client with it:
   * the old client is closed and a new one says `hello` with the new name and the same identity
   * (the same user, renamed).
   */
  setName: (name: string) => void;
}

export const DisplayNameContext = createContext<DisplayNameState>({
  name: null,
  setName: () => {},
});

export function useDisplayName(): DisplayNameState {
  return useContext(DisplayNameContext);
}
