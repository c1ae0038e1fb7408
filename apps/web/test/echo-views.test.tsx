// @vitest-environment jsdom
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import EchoPage from '@/app/echo/page';
import { ConfigProvider } from '@/components/config-provider';
import { ReadyStateIndicator } from '@/components/echo/ready-state-indicator';
import { SiteHeader } from '@/components/site-header';
import { ReadyState } from '@/lib/ready-state';

vi.mock('next/navigation', () => ({
  useRouter: () => ({ push: vi.fn(), replace: vi.fn(), prefetch: vi.fn(), back: vi.fn() }),
  usePathname: () => '/echo',
}));

describe('ReadyStateIndicator', () => {
  it.each([
    [ReadyState.CONNECTING, 'CONNECTING'],
    [ReadyState.OPEN, 'OPEN'],
    [ReadyState.CLOSING, 'CLOSING'],
    [ReadyState.CLOSED, 'CLOSED'],
  ])('readyState %i reads %s, in a live status', (value, name) => {
    render(<ReadyStateIndicator value={value} />);
    const pill = screen.getByRole('status');
    expect(pill.getAttribute('data-ready-state')).toBe(name);
    expect(pill.textContent).toBe(`${name}readyState ${value}`);
  });
});

describe('/echo', () => {
  function renderEchoPage() {
    return render(
      <ConfigProvider apiUrl="http://api.test">
        <SiteHeader />
        <EchoPage />
      </ConfigProvider>,
    );
  }

  it('names the header badge as the chat connection, apart from the echo socket', () => {
    renderEchoPage();
    const chatStatus = screen.getByTestId('chat-status');
    expect(chatStatus.textContent).toMatch(/^Chat:/);
    expect(within(chatStatus).getByTestId('connection-badge')).toBeTruthy();
    // The echo card's own state: closed until Connect, whatever the chat socket does.
    const echoState = screen.getByTestId('echo-ready-state');
    expect(chatStatus.contains(echoState)).toBe(false);
    expect(echoState.getAttribute('data-ready-state')).toBe('CLOSED');
    expect(screen.getByTestId('echo-socket-note').textContent).toContain(
      'The chat connection at the top of the page is a separate socket.',
    );
  });

  it('the header marks Echo as the current page', () => {
    renderEchoPage();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Echo' }).getAttribute('aria-current')).toBe(
      'page',
    );
  });
});
