import { afterEach } from 'vitest';

// Testing Library unmounts what a test rendered, so that the next test starts from an empty
// document. Only where there is a document: the pure-module tests run in Node.
afterEach(async () => {
  if (typeof document === 'undefined') return;
  const { cleanup } = await import('@testing-library/react');
  cleanup();
});
