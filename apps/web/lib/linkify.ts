/** A piece of a message's text: plain text, or a web address to show as a link. */
export type TextSegment =
  { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/**
 * Candidates start with http:// or https:// (not inside another address or scheme, as in
 * `javascript:https://…`) and run to the next space, angle bracket or double quote.
 */
const CANDIDATE = /(?<![\w:/@.+-])https?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence around a link more often than it ends the link. */
const TRAILING = /[.,;:!?'’”*_]+$/;

/** Drops trailing punctuation, and closing brackets that have no opening one inside the link. */
function trimCandidate(candidate: string): string {
  let text = candidate;
  for (;;) {
    const before = text;
    text = text.replace(TRAILING, '');
    const last = text.at(-1);
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    const open = last ? pairs[last] : undefined;
    if (open && count(text, last!) > count(text, open)) text = text.slice(0, -1);
    if (text === before) return text;
  }
}

function count(text: string, char: string): number {
  return text.split(char).length - 1;
}

/** The address `text` links to when it is an http: or https: URL with a host; else null. */
function webHref(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return null;
  return url.href;
}

/**
 * Splits `text` into plain text and links: only http: and https: addresses (checked with `URL`)
 * become links; everything else, other schemes included, stays text. Joined back, the
 * segments' texts are `text` exactly.
 */
export function linkify(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let plainFrom = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const linkText = trimCandidate(match[0]);
    const href = webHref(linkText);
    if (!href) continue;
    if (start > plainFrom) segments.push({ kind: 'text', text: text.slice(plainFrom, start) });
    segments.push({ kind: 'link', text: linkText, href });
    plainFrom = start + linkText.length;
  }
  if (plainFrom < text.length) segments.push({ kind: 'text', text: text.slice(plainFrom) });
  return segments;
}
