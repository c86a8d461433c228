#!/usr/bin/env node
// Runs the Patchbay CLI (server/src/cli.ts) through tsx.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
const cli = fileURLToPath(new URL('../server/src/cli.ts', import.meta.url))
const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(r.status ?? 1)
