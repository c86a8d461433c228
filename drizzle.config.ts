import { defineConfig } from 'drizzle-kit'

/** `npm run db:generate` writes SQL migrations for schema changes into `migrations/`. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/src/db/schema/index.ts',
  out: './migrations',
})
