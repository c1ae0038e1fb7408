import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import {
  MemoryStorage,
  disableStorage,
  installStorage,
  removeStorage,
} from './support/fake-storage';

const KEY = 'duplex.identity';

/** The module as a newly loaded page has it: no identity of its own yet. */
async function loadPage() {
  vi.resetModules();
  return import('@/lib/identity');
}

afterEach(() => {
  removeStorage();
});

describe('identity kept in localStorage', () => {
  let storage: MemoryStorage;
  beforeEach(() => {
    storage = installStorage(new MemoryStorage());
  });

  it('stores under the key every tab reads', async () => {
    const { IDENTITY_KEY } = await loadPage();
    expect(IDENTITY_KEY).toBe(KEY);
  });

  it('has none to present on a first visit', async () => {
    const { readIdentity } = await loadPage();
    expect(readIdentity()).toBeUndefined();
  });

  it('presents the stored identity after a reload, and in another tab', async () => {
    const first = await loadPage();
    first.storeIdentity('signed.token.1');
    expect(storage.getItem(KEY)).toBe('signed.token.1');
    const reloaded = await loadPage();
    expect(reloaded.readIdentity()).toBe('signed.token.1');
  });

  it('replaces the identity with the one of the latest hello ack', async () => {
    const page = await loadPage();
    page.storeIdentity('signed.token.1');
    page.storeIdentity('signed.token.2');
    expect(page.readIdentity()).toBe('signed.token.2');
    expect(storage.getItem(KEY)).toBe('signed.token.2');
  });

  it('reads what another tab stored since', async () => {
    const page = await loadPage();
    page.storeIdentity('signed.token.1');
    storage.setItem(KEY, 'from.another.tab');
    expect(page.readIdentity()).toBe('from.another.tab');
  });

  it('does not write the identity again when it did not change', async () => {
    const page = await loadPage();
    page.storeIdentity('signed.token.1');
    page.storeIdentity('signed.token.1');
    expect(storage.writes).toEqual([[KEY, 'signed.token.1']]);
  });

  it('ignores an identity it could not present: empty or too long', async () => {
    const page = await loadPage();
    page.storeIdentity('signed.token.1');
    page.storeIdentity('');
    page.storeIdentity('x'.repeat(PROTOCOL_BOUNDS.identityMaxChars + 1));
    expect(page.readIdentity()).toBe('signed.token.1');
    expect(storage.writes).toEqual([[KEY, 'signed.token.1']]);
  });

  it('counts the length in code points, as the protocol does', async () => {
    const longest = '😀'.repeat(PROTOCOL_BOUNDS.identityMaxChars);
    const page = await loadPage();
    page.storeIdentity(longest);
    expect(page.readIdentity()).toBe(longest);
  });

  it('does not present an unusable stored value; the page keeps its own', async () => {
    storage.setItem(KEY, 'x'.repeat(PROTOCOL_BOUNDS.identityMaxChars + 1));
    const fresh = await loadPage();
    expect(fresh.readIdentity()).toBeUndefined();
    fresh.storeIdentity('signed.token.1');
    storage.setItem(KEY, '');
    expect(fresh.readIdentity()).toBe('signed.token.1');
  });
});

describe('identity with storage disabled', () => {
  it('lives as long as the page', async () => {
    disableStorage();
    const page = await loadPage();
    expect(page.readIdentity()).toBeUndefined();
    page.storeIdentity('signed.token.1');
    expect(page.readIdentity()).toBe('signed.token.1');
    page.storeIdentity('signed.token.2');
    expect(page.readIdentity()).toBe('signed.token.2');
    const reloaded = await loadPage();
    expect(reloaded.readIdentity()).toBeUndefined();
  });

  it('keeps the page its identity when storage refuses to write', async () => {
    const full = installStorage(new MemoryStorage(true));
    const page = await loadPage();
    page.storeIdentity('signed.token.1');
    expect(full.getItem(KEY)).toBeNull();
    expect(page.readIdentity()).toBe('signed.token.1');
  });

  it('works in a page without localStorage at all', async () => {
    removeStorage();
    const page = await loadPage();
    page.storeIdentity('signed.token.1');
    expect(page.readIdentity()).toBe('signed.token.1');
  });
});
