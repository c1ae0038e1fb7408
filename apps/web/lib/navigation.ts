export interface NavItem {
  href: string;
  label: string;
  /** Other paths that belong to this item (its pages below), e.g. the chat rooms for Chat. */
  sections?: readonly string[];
}

/** The header's links, in order. Add a page here to put it in the navigation. */
export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/', label: 'Chat', sections: ['/rooms'] },
  { href: '/echo', label: 'Echo' },
  { href: '/transports', label: 'Transports' },
];

function isWithin(pathname: string, base: string): boolean {
  return pathname === base || pathname.startsWith(`${base}/`);
}

export function isActiveNavItem(item: NavItem, pathname: string): boolean {
  if (item.sections?.some((section) => isWithin(pathname, section))) return true;
  if (item.href === '/') return pathname === '/';
  return isWithin(pathname, item.href);
}
