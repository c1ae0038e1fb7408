import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { ConfigProvider } from '@/components/config-provider';
import { CallProvider } from '@/components/call/call-provider';
import { DuplexProvider } from '@/components/duplex-provider';
import { SiteFooter } from '@/components/site-footer';
import { SiteHeader } from '@/components/site-header';
import { DEFAULT_API_PORT, normalizeApiUrl, parseApiPort } from '@/lib/api-url';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Duplex', template: '%s · Duplex' },
  description:
    'Realtime on the web, shown for real: a WebSocket echo playground, chat rooms and WebRTC calls over one typed protocol.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f6f7f9' },
    { media: '(prefers-color-scheme: dark)', color: '#0e1116' },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Render per request so DUPLEX_API_URL is read when the server runs, not when it was built:
  // one web build can then point at any api.
  await connection();
  const rawApiUrl = process.env.DUPLEX_API_URL;
  const apiUrl = normalizeApiUrl(rawApiUrl);
  if (rawApiUrl?.trim() && !apiUrl) {
    console.warn(`DUPLEX_API_URL is not an http(s) URL (${rawApiUrl}); using the default`);
  }
  const rawApiPort = process.env.API_PORT;
  const apiPort = parseApiPort(rawApiPort);
  if (rawApiPort?.trim() && apiPort === null) {
    console.warn(`API_PORT is not a port number (${rawApiPort}); using ${DEFAULT_API_PORT}`);
  }

  return (
    <html lang="en">
      <body>
        <ConfigProvider apiUrl={apiUrl} fallbackPort={apiPort ?? DEFAULT_API_PORT}>
          <DuplexProvider>
            {/* Calls live at the layout level: the prompt and the call view survive navigation. */}
            <CallProvider>
              <a href="#content" className="skip-link">
                Skip to content
              </a>
              <div className="app-shell">
                <SiteHeader />
                {/* Focusable so that the skip link moves keyboard focus here, not only the view. */}
                <main id="content" className="site-main" tabIndex={-1}>
                  {children}
                </main>
                <SiteFooter />
              </div>
            </CallProvider>
          </DuplexProvider>
        </ConfigProvider>
      </body>
    </html>
  );
}
