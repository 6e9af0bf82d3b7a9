import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import workspace packages from source, so `vitest` needs no build first.
export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@nubo\/(shared|api|scheduler|host|podnet|metadata|init|cli|lifecycle)$/,
        replacement: pkg('$1'),
      },
      {
        find: /^@nubo\/test\/vitest$/,
        replacement: fileURLToPath(new URL('./test/harness/vitest.ts', import.meta.url)),
      },
      {
        find: /^@nubo\/test$/,
        replacement: fileURLToPath(new URL('./test/harness/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
