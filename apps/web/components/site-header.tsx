import Link from 'next/link';
import { ConnectionBadge } from './connection-badge';
import { SiteNav } from './site-nav';

export function SiteHeader() {
  return (
    <header className="site-header">
      <div className="site-header-inner">
        <Link href="/" className="brand" aria-label="Duplex, home">
          <span className="brand-mark" aria-hidden="true">
            ⇄
          </span>
          Duplex
        </Link>
        <SiteNav />
        <ConnectionBadge />
      </div>
    </header>
  );
}
