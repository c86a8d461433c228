/// <reference types="vitest/config" />
import { defineConfig } from 'vite'

/**
 * One config for the widget build (issue 3) and the test suite.
 * Tests live beside the code as `*.test.ts`; database tests run on PGlite and, when
 * `TEST_DATABASE_URL` is set, on PostgreSQL too (see server/src/db/testing.ts).
 */
export default defineConfig({
  test: {
    include: ['{server,connectors,sdk,embed-ui,test}/**/*.test.{ts,tsx}'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
})
