import { describe, expect, it } from 'vitest';
import { linkify } from '@/lib/linkify';

const links = (text: string) =>
  linkify(text)
    .filter((segment) => segment.kind === 'link')
    .map((segment) => segment.text);

describe('linkify', () => {
  it('turns http and https addresses into links, the rest into text', () => {
    expect(linkify('see https://example.org/a?b=1#c and http://x.test/')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1#c', href: 'https://example.org/a?b=1#c' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.test/', href: 'http://x.test/' },
    ]);
  });

  it('leaves every other scheme as text', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://example.org/file',
      'mailto:ann@example.org',
      'file:///etc/passwd',
      'vbscript:msgbox',
    ]) {
      expect(linkify(text)).toEqual([{ kind: 'text', text }]);
    }
  });

  it('does not link an address hidden after another scheme', () => {
    expect(links('javascript:https://example.org')).toEqual([]);
  });

  it('leaves addresses that URL cannot parse, or without a host, as text', () => {
    expect(links('http://')).toEqual([]);
    expect(links('https://exa mple.org')).toEqual(['https://exa']);
    expect(links('http://[::1')).toEqual([]);
  });

  it('keeps sentence punctuation and unmatched brackets out of the link', () => {
    expect(links('Look: https://example.org.')).toEqual(['https://example.org']);
    expect(links('(see https://example.org/x)')).toEqual(['https://example.org/x']);
    expect(links('https://en.wikipedia.org/wiki/Duplex_(telecommunications)!')).toEqual([
      'https://en.wikipedia.org/wiki/Duplex_(telecommunications)',
    ]);
    expect(links('"https://example.org/q"')).toEqual(['https://example.org/q']);
  });

  it('gives back the text exactly when joined', () => {
    const text = 'a https://example.org/x. b\nhttp://y.test, (https://z.test/p) end';
    expect(
      linkify(text)
        .map((segment) => segment.text)
        .join(''),
    ).toBe(text);
  });

  it('matches the scheme in any case and links the normalised address', () => {
    expect(linkify('HTTPS://Example.ORG/Path')).toEqual([
      { kind: 'link', text: 'HTTPS://Example.ORG/Path', href: 'https://example.org/Path' },
    ]);
  });

  it('finds nothing in plain text', () => {
    expect(linkify('hello <b>there</b>')).toEqual([{ kind: 'text', text: 'hello <b>there</b>' }]);
    expect(linkify('')).toEqual([]);
  });
});
