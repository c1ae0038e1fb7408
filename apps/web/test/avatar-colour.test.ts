import { describe, expect, it } from 'vitest';
import { AVATAR_PALETTE, avatarColour, avatarColourIndex } from '@/lib/avatar-colour';

/** WCAG 2 relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

describe('avatar colours', () => {
  it('has an initial readable at 4.5:1 on every background, light and dark', () => {
    for (const colour of AVATAR_PALETTE) {
      expect(contrast(colour.light.text, colour.light.background)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colour.dark.text, colour.dark.background)).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('gives a userId the same colour every time', () => {
    const id = '3f2a91c0-7d3e-4b1a-9f00-0a1b2c3d4e5f';
    expect(avatarColour(id)).toBe(avatarColour(id));
    expect(avatarColourIndex(id)).toBe(avatarColourIndex(`${id}`));
  });

  it('spreads ids over the palette', () => {
    const used = new Set(
      Array.from({ length: 200 }, (_, index) => avatarColourIndex(`user-${index}`)),
    );
    expect(used.size).toBe(AVATAR_PALETTE.length);
  });

  it('usually tells two namesakes apart by colour', () => {
    const ids = Array.from({ length: 100 }, (_, index) => `ann-${index}`);
    const pairs = ids.slice(1).map((id, index) => [ids[index]!, id] as const);
    const different = pairs.filter(([a, b]) => avatarColourIndex(a) !== avatarColourIndex(b));
    expect(different.length / pairs.length).toBeGreaterThan(0.75);
  });
});
