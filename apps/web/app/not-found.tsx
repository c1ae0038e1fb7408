import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Page not found' };

export default function NotFound() {
  return (
    <div className="page">
      <section
        className="card not-found"
        data-testid="page-not-found"
        aria-labelledby="page-not-found-title"
      >
        <p className="eyebrow">404 · page not found</p>
        <h1 id="page-not-found-title">There is no page at this address</h1>
        <p className="lede">
          The link may be mistyped or out of date. Chat rooms live at{' '}
          <code>/rooms/&lt;name&gt;</code>, and the lobby lists the ones in use.
        </p>
        <p className="not-found-actions">
          <Link href="/" className="button button-primary" data-testid="not-found-home">
            Back to the lobby
          </Link>
          <Link href="/echo" className="button">
            Open the echo playground
          </Link>
        </p>
      </section>
    </div>
  );
}
