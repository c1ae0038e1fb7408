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
        {/* Named for what it watches: the chat socket, not the echo playground's own socket. */}
        <div className="chat-status" data-testid="chat-status">
          <span className="chat-status-label">Chat:</span>
          <ConnectionBadge />
        </div>
      </div>
    </header>
  );
}
