'use client';

import { useApiConfig } from './config-provider';

export function SiteFooter() {
  const { apiUrl, source } = useApiConfig();
  return (
    <footer className="site-footer">
      <p>
        api <code data-testid="api-url">{apiUrl ?? 'this host, port 3001'}</code>{' '}
        <span className="site-footer-source">
          {source === 'env' ? '(from DUPLEX_API_URL)' : '(default: this host, port 3001)'}
        </span>
      </p>
      <p>Duplex: one typed protocol, a NestJS gateway and this Next.js app.</p>
    </footer>
  );
}
