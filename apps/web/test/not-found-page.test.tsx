// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import NotFound from '@/app/not-found';

describe('NotFound', () => {
  it('says the page does not exist and leads back to the lobby', () => {
    render(<NotFound />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(
      'There is no page at this address',
    );
    const home = screen.getByTestId('not-found-home');
    expect(home.textContent).toBe('Back to the lobby');
    expect(home.getAttribute('href')).toBe('/');
    expect(
      screen.getByRole('link', { name: 'Open the echo playground' }).getAttribute('href'),
    ).toBe('/echo');
  });
});
