import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * WCAG 2.2 AA for the design tokens of app/globals.css, light and dark: every text colour on
 * every background (4.5:1), also on the 14% tints the echo state pill and the log's kind tags
 * put behind their own colour, and control borders and the focus ring against the surfaces
 * controls sit on (3:1).
 */

const css = readFileSync(new URL('../app/globals.css', import.meta.url), 'utf8');
const darkStart = css.indexOf('@media (prefers-color-scheme: dark)');

function colorTokens(block: string): Record<string, string> {
  const tokens: Record<string, string> = {};
  for (const [, name, hex] of block.matchAll(/--([a-z0-9-]+):\s*(#[0-9a-f]{6});/gi))
    tokens[name!] = hex!;
  return tokens;
}

const light = colorTokens(css.slice(0, darkStart));
const dark = { ...light, ...colorTokens(css.slice(darkStart, css.indexOf('}', darkStart + 40))) };

type Rgb = [number, number, number];
const rgb = (hex: string): Rgb => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
const channel = (v: number) =>
  v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4;
const luminance = ([r, g, b]: Rgb) =>
  0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
function contrast(a: Rgb, b: Rgb): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (high + 0.05) / (low + 0.05);
}
/** `color-mix(in srgb, fg p, bg)`, as the pills draw their background. */
const mix = (fg: Rgb, bg: Rgb, p: number): Rgb => fg.map((v, i) => v * p + bg[i]! * (1 - p)) as Rgb;

const TEXT = ['text', 'muted', 'accent', 'ok', 'warn', 'closing', 'danger'];
const BACKGROUNDS = [
  'bg',
  'surface',
  'surface-2',
  'accent-soft',
  'ok-soft',
  'warn-soft',
  'danger-soft',
  'idle-soft',
];
/** Cards (surface) and the log's even rows (surface-2) are what the tinted pills sit on. */
const PILL_BASES = ['surface', 'surface-2'];

describe.each([
  ['light', light],
  ['dark', dark],
])('design tokens, %s', (_scheme, tokens) => {
  const color = (name: string) => {
    const hex = tokens[name];
    if (!hex) throw new Error(`--${name} is not a hex colour in globals.css`);
    return rgb(hex);
  };

  it.each(TEXT.flatMap((fg) => BACKGROUNDS.map((bg) => [fg, bg])))(
    '--%s on --%s is at least 4.5:1',
    (fg, bg) => {
      expect(contrast(color(fg!), color(bg!))).toBeGreaterThanOrEqual(4.5);
    },
  );

  it.each(TEXT.flatMap((fg) => PILL_BASES.map((base) => [fg, base])))(
    '--%s on its own 14%% tint over --%s is at least 4.5:1',
    (fg, base) => {
      const tint = mix(color(fg!), color(base!), 0.14);
      expect(contrast(color(fg!), tint)).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('--on-accent on --accent and --accent-hover is at least 4.5:1', () => {
    expect(contrast(color('on-accent'), color('accent'))).toBeGreaterThanOrEqual(4.5);
    expect(contrast(color('on-accent'), color('accent-hover'))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(['bg', 'surface', 'surface-2'])(
    'control borders (--border-strong) and the focus ring (--accent) on --%s are at least 3:1',
    (bg) => {
      expect(contrast(color('border-strong'), color(bg))).toBeGreaterThanOrEqual(3);
      expect(contrast(color('accent'), color(bg))).toBeGreaterThanOrEqual(3);
    },
  );

  it.each(['bg', 'surface'])('status dots (--idle) on --%s are at least 3:1', (bg) => {
    expect(contrast(color('idle'), color(bg))).toBeGreaterThanOrEqual(3);
  });
});
