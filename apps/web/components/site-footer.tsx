'use client';

import { useApiConfig } from './config-provider';

export function SiteFooter() {
  const { apiUrl, source, fallbackPort } = useApiConfig();
  const fallback = `this host, port ${fallbackPort}`;
  return (
    <footer className="site-footer">
      <p>
        api <code data-testid="api-url">{apiUrl ?? fallback}</code>{' '}
        <span className="site-footer-source">
          {source === 'env' ? '(from DUPLEX_API_URL)' : `(default: ${fallback})`}
        </span>
      </p>
      <p>Duplex: one typed protocol, a NestJS gateway and this Next.js app.</p>
    </footer>
  );
}
