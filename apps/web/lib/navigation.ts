export interface NavItem {
  href: string;
  label: string;
}

/** The header's links, in order. Add a page here to put it in the navigation. */
export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Chat' },
  { href: '/echo', label: 'Echo' },
];

export function isActiveNavItem(item: NavItem, pathname: string): boolean {
  if (item.href === '/') return pathname === '/';
  return pathname === item.href || pathname.startsWith(`${item.href}/`);
}
