import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      // Before '@switchboard/core', which would otherwise take this subpath as a path below its index.
      '@switchboard/core/media-types': fileURLToPath(new URL('./packages/core/src/media-types.ts', import.meta.url)),
      '@switchboard/core/widget-english': fileURLToPath(new URL('./packages/core/src/widget-english.ts', import.meta.url)),
      '@switchboard/core': src('core'),
      '@switchboard/sdk': src('sdk'),
      '@switchboard/server': src('server'),
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
