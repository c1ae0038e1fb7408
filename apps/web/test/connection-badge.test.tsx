// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ConnectionBadge } from '@/components/connection-badge';

describe('ConnectionBadge', () => {
  it('says it is connecting before the client exists', () => {
    render(<ConnectionBadge />);
    expect(screen.getByTestId('connection-badge').textContent).toContain('Connecting');
  });
});
