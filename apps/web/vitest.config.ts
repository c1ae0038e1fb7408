import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The app imports its own modules as `@/lib/...` (tsconfig `paths`).
  resolve: { alias: { '@': fileURLToPath(new URL('.', import.meta.url)) } },
  // tsconfig keeps JSX for Next to compile; the tests compile it themselves.
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Hooks and views (`*.test.tsx`) render into jsdom; the pure modules need no DOM.
    environment: 'node',
    setupFiles: ['test/support/setup.ts'],
    css: { modules: { classNameStrategy: 'non-scoped' } },
  },
});
