import { describe, expect, it } from 'vitest';
import { NAV_ITEMS, isActiveNavItem, type NavItem } from '@/lib/navigation';

function item(label: string): NavItem {
  const found = NAV_ITEMS.find((candidate) => candidate.label === label);
  if (!found) throw new Error(`no navigation item ${label}`);
  return found;
}

describe('NAV_ITEMS', () => {
  it('links Chat, Echo and Transports, in that order', () => {
    expect(NAV_ITEMS.map(({ href, label }) => [href, label])).toEqual([
      ['/', 'Chat'],
      ['/echo', 'Echo'],
      ['/transports', 'Transports'],
    ]);
  });
});

describe('isActiveNavItem', () => {
  it('marks Chat on the lobby and in every room', () => {
    const chat = item('Chat');
    for (const path of ['/', '/rooms', '/rooms/general']) {
      expect(isActiveNavItem(chat, path), path).toBe(true);
    }
    for (const path of ['/echo', '/roomsy', '/about']) {
      expect(isActiveNavItem(chat, path), path).toBe(false);
    }
  });

  it('marks Echo on its page and below, not on a path that only starts alike', () => {
    const echo = item('Echo');
    expect(isActiveNavItem(echo, '/echo')).toBe(true);
    expect(isActiveNavItem(echo, '/echo/binary')).toBe(true);
    expect(isActiveNavItem(echo, '/echoes')).toBe(false);
    expect(isActiveNavItem(echo, '/')).toBe(false);
    expect(isActiveNavItem(echo, '/rooms/echo')).toBe(false);
  });
});

describe('isActiveNavItem: Transports', () => {
  it('marks Transports on its page only', () => {
    const transports = item('Transports');
    expect(isActiveNavItem(transports, '/transports')).toBe(true);
    expect(isActiveNavItem(transports, '/')).toBe(false);
    expect(isActiveNavItem(transports, '/echo')).toBe(false);
    expect(isActiveNavItem(item('Chat'), '/transports')).toBe(false);
  });
});
