/** One avatar colour: the initial's colour on its background, for light and for dark pages. */
export interface AvatarColour {
  light: { background: string; text: string };
  dark: { background: string; text: string };
}

/**
 * Each pair has a contrast of at least 4.5:1 (checked in test/avatar-colour.test.ts). On dark
 * pages the backgrounds are the bright ones: dark hues look alike at this size.
 */
export const AVATAR_PALETTE: readonly AvatarColour[] = [
  {
    light: { background: '#fee2e2', text: '#991b1b' },
    dark: { background: '#fca5a5', text: '#7f1d1d' },
  },
  {
    light: { background: '#ffedd5', text: '#9a3412' },
    dark: { background: '#fdba74', text: '#7c2d12' },
  },
  {
    light: { background: '#fef3c7', text: '#92400e' },
    dark: { background: '#fcd34d', text: '#78350f' },
  },
  {
    light: { background: '#dcfce7', text: '#166534' },
    dark: { background: '#86efac', text: '#14532d' },
  },
  {
    light: { background: '#ccfbf1', text: '#115e59' },
    dark: { background: '#5eead4', text: '#134e4a' },
  },
  {
    light: { background: '#e0f2fe', text: '#075985' },
    dark: { background: '#7dd3fc', text: '#0c4a6e' },
  },
  {
    light: { background: '#e0e7ff', text: '#3730a3' },
    dark: { background: '#a5b4fc', text: '#312e81' },
  },
  {
    light: { background: '#f3e8ff', text: '#6b21a8' },
    dark: { background: '#d8b4fe', text: '#581c87' },
  },
  {
    light: { background: '#fce7f3', text: '#9d174d' },
    dark: { background: '#f9a8d4', text: '#831843' },
  },
];

/** FNV-1a: a small, stable string hash (the same userId gets the same colour everywhere). */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

/** Which palette entry `userId` gets. */
export function avatarColourIndex(userId: string): number {
  return hash(userId) % AVATAR_PALETTE.length;
}

export function avatarColour(userId: string): AvatarColour {
  return AVATAR_PALETTE[avatarColourIndex(userId)]!;
}
