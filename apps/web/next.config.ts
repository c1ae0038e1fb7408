import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const nextConfig: NextConfig = {
  output: 'standalone',
  // The workspace packages live above apps/web; tracing from the repo root puts them
  // (and the hoisted node_modules they need) into the standalone bundle.
  outputFileTracingRoot: repoRoot,
  reactStrictMode: true,
  poweredByHeader: false,
};

export default nextConfig;
