export const DISPLAY_NAME_KEY = 'duplex.name';

function generateGuestName(): string {
  const digits = (crypto.getRandomValues(new Uint16Array(1))[0]! % 9000) + 1000;
  return `Guest ${digits}`;
}

/** The name this browser introduces itself with, created once and kept in localStorage. */
export function getOrCreateDisplayName(): string {
  try {
    const stored = localStorage.getItem(DISPLAY_NAME_KEY)?.trim();
    if (stored) return stored;
    const name = generateGuestName();
    localStorage.setItem(DISPLAY_NAME_KEY, name);
    return name;
  } catch {
    // Storage can be disabled (privacy settings); a name for this page load still works.
    return generateGuestName();
  }
}
