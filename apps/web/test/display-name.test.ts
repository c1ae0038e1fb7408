import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import { checkDisplayName } from '@/lib/display-name';
import {
  MemoryStorage,
  disableStorage,
  installStorage,
  removeStorage,
} from './support/fake-storage';

const KEY = 'duplex.name';
const MAX = PROTOCOL_BOUNDS.nameMaxChars;

/** The module as a newly loaded page has it: no name read yet. */
async function loadPage() {
  vi.resetModules();
  return import('@/lib/display-name');
}

/** Makes the next guest number come from `value` (what `getRandomValues` returns). */
function nextRandom(value: number): void {
  vi.spyOn(crypto, 'getRandomValues').mockImplementation((array) => {
    (array as Uint16Array)[0] = value;
    return array;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
  removeStorage();
});

describe('checkDisplayName', () => {
  it('accepts a name and gives its trimmed form', () => {
    expect(checkDisplayName('Ann')).toEqual({ ok: true, name: 'Ann' });
    expect(checkDisplayName('  Ann Lee \t')).toEqual({ ok: true, name: 'Ann Lee' });
  });

  it(`accepts up to ${MAX} characters, counted in code points`, () => {
    expect(checkDisplayName('a'.repeat(MAX))).toEqual({ ok: true, name: 'a'.repeat(MAX) });
    expect(checkDisplayName('😀'.repeat(MAX))).toEqual({ ok: true, name: '😀'.repeat(MAX) });
  });

  it('refuses an empty or too long name, in a sentence', () => {
    const message = `Your name must be 1 to ${MAX} characters after trimming.`;
    expect(checkDisplayName('')).toEqual({ ok: false, message });
    expect(checkDisplayName('   ')).toEqual({ ok: false, message });
    expect(checkDisplayName('a'.repeat(MAX + 1))).toEqual({ ok: false, message });
  });

  it('refuses control characters', () => {
    const message = 'Your name must not contain control characters.';
    expect(checkDisplayName('Ann\u0007')).toEqual({ ok: false, message });
    expect(checkDisplayName('Ann\nLee')).toEqual({ ok: false, message });
    expect(checkDisplayName('Ann\u0085')).toEqual({ ok: false, message });
  });
});

describe('getOrCreateDisplayName', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = installStorage(new MemoryStorage());
  });

  it('makes a guest name on the first visit and keeps it', async () => {
    nextRandom(0);
    const { getOrCreateDisplayName } = await loadPage();
    expect(getOrCreateDisplayName()).toBe('Guest 1000');
    expect(storage.getItem(KEY)).toBe('Guest 1000');
    nextRandom(1);
    expect(getOrCreateDisplayName()).toBe('Guest 1000');
  });

  it('numbers guests from 1000 to 9999', async () => {
    const { getOrCreateDisplayName } = await loadPage();
    for (const [random, name] of [
      [8_999, 'Guest 9999'],
      [9_000, 'Guest 1000'],
      [65_535, 'Guest 3535'],
    ] as const) {
      storage.clear();
      nextRandom(random);
      expect(getOrCreateDisplayName()).toBe(name);
    }
  });

  it('uses the remembered name, trimmed', async () => {
    storage.setItem(KEY, '  Ann ');
    const { getOrCreateDisplayName } = await loadPage();
    expect(getOrCreateDisplayName()).toBe('Ann');
  });

  it('replaces a remembered name the server would refuse', async () => {
    const { getOrCreateDisplayName } = await loadPage();
    for (const bad of ['', '   ', 'a'.repeat(MAX + 1), 'Ann\u0000']) {
      storage.setItem(KEY, bad);
      nextRandom(234);
      expect(getOrCreateDisplayName(), JSON.stringify(bad)).toBe('Guest 1234');
      expect(storage.getItem(KEY)).toBe('Guest 1234');
    }
  });

  it('still gives a name for the page when storage is disabled', async () => {
    disableStorage();
    nextRandom(42);
    const { getOrCreateDisplayName } = await loadPage();
    expect(getOrCreateDisplayName()).toBe('Guest 1042');
  });
});

describe('the name in use on the page', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = installStorage(new MemoryStorage());
  });

  it('is read once, then stays the same', async () => {
    storage.setItem(KEY, 'Ann');
    const { getDisplayName } = await loadPage();
    expect(getDisplayName()).toBe('Ann');
    storage.setItem(KEY, 'Changed elsewhere');
    expect(getDisplayName()).toBe('Ann');
  });

  it('changes with setDisplayName, which remembers it and tells every subscriber', async () => {
    storage.setItem(KEY, 'Ann');
    const { getDisplayName, setDisplayName, subscribeDisplayName } = await loadPage();
    expect(getDisplayName()).toBe('Ann');
    const seen: string[] = [];
    const other = vi.fn();
    subscribeDisplayName(() => seen.push(getDisplayName()));
    subscribeDisplayName(other);
    setDisplayName('Bob');
    expect(getDisplayName()).toBe('Bob');
    expect(storage.getItem(KEY)).toBe('Bob');
    expect(seen).toEqual(['Bob']);
    expect(other).toHaveBeenCalledTimes(1);
  });

  it('tells nobody when the name did not change', async () => {
    storage.setItem(KEY, 'Ann');
    const { getDisplayName, setDisplayName, subscribeDisplayName } = await loadPage();
    getDisplayName();
    const listener = vi.fn();
    subscribeDisplayName(listener);
    setDisplayName('Ann');
    expect(listener).not.toHaveBeenCalled();
  });

  it('stops telling a subscriber that unsubscribed', async () => {
    const { setDisplayName, subscribeDisplayName } = await loadPage();
    const listener = vi.fn();
    const unsubscribe = subscribeDisplayName(listener);
    setDisplayName('Bob');
    unsubscribe();
    setDisplayName('Carol');
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('counts a name chosen here as a choice (a new hello), not a name adopted from another tab', async () => {
    storage.setItem(KEY, 'Ann');
    const {
      adoptDisplayName,
      getDisplayName,
      getNameChoices,
      setDisplayName,
      subscribeDisplayName,
    } = await loadPage();
    getDisplayName();
    const listener = vi.fn();
    subscribeDisplayName(listener);
    adoptDisplayName('Annie'); // taken in another tab: shown and remembered
    expect(getDisplayName()).toBe('Annie');
    expect(storage.getItem(KEY)).toBe('Annie');
    expect(getNameChoices()).toBe(0);
    expect(listener).toHaveBeenCalledTimes(1);
    setDisplayName('Ann'); // back to the old name: a choice of this tab
    expect(getNameChoices()).toBe(1);
    expect(listener).toHaveBeenCalledTimes(2);
    adoptDisplayName('Ann'); // what the page has already
    setDisplayName('Ann');
    expect(getNameChoices()).toBe(1);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("shows a name another tab saved, without counting it as this page's choice", async () => {
    storage.setItem(KEY, 'Ann');
    const page = new EventTarget();
    vi.stubGlobal('window', page);
    const { getDisplayName, getNameChoices, subscribeDisplayName } = await loadPage();
    getDisplayName();
    const listener = vi.fn();
    const unsubscribe = subscribeDisplayName(listener);
    const saved = (key: string, newValue: string | null) =>
      page.dispatchEvent(Object.assign(new Event('storage'), { key, newValue }));
    saved('other.key', 'Zed');
    saved(KEY, 'A\u0007nn'); // not a name: ignored
    saved(KEY, ' Annie ');
    expect(getDisplayName()).toBe('Annie');
    expect(getNameChoices()).toBe(0);
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    saved(KEY, 'Anna'); // nobody listens any more: the page does not follow
    expect(getDisplayName()).toBe('Annie');
    vi.unstubAllGlobals();
  });

  it('keeps a new name for the page when storage refuses to write', async () => {
    const full = installStorage(new MemoryStorage(true));
    const { getDisplayName, setDisplayName, subscribeDisplayName } = await loadPage();
    const listener = vi.fn();
    subscribeDisplayName(listener);
    setDisplayName('Bob');
    expect(getDisplayName()).toBe('Bob');
    expect(full.getItem(KEY)).toBeNull();
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
