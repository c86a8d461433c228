/// <reference types="vitest/config" />
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig, type Plugin, type UserConfig } from 'vite'

/**
 * One config for the widget builds and the test suite.
 *
 * Widget (embed-ui/), two library builds into dist/embed, selected by `--mode` (`npm run build:embed` runs both):
 * - `vite build --mode component`: `patchbay-react.<hash>.js`, ESM for React hosts; react, react-dom and
 *   the JSX runtime stay external (peer dependencies), @tanstack/react-query is bundled.
 * - `vite build --mode mapping`: `patchbay-mapping.<hash>.js`, the field-mapping editor for the
 *   standalone widget, loaded when first shown (IIFE, global `PatchbayMapping`); React, react-query
 *   and the widget's stateful modules are borrowed from the running widget
 *   (`embed-ui/src/features/mapping/chunk/`). Built before the standalone, which pins its file and SRI hash.
 * - `vite build --mode standalone`: `patchbay-embed.<hash>.js`, an IIFE defining `<patchbay-marketplace>`
 *   with React bundled.
 * Each build replaces its own earlier output only, then records its file and SRI hash in
 * `dist/embed/manifest.json` (`{ standalone: { file, integrity }, component: { file, integrity } }`).
 *
 * Tests live beside the code as `*.test.ts(x)`; database tests run on PGlite and, when
 * `TEST_DATABASE_URL` is set, on PostgreSQL too (see server/src/db/testing.ts). Widget tests pick
 * happy-dom per file (`// @vitest-environment happy-dom`); everything else runs in node.
 */
const test: UserConfig['test'] = {
  include: ['{server,connectors,sdk,embed-ui,test}/**/*.test.{ts,tsx}'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  pool: 'forks',
  reporters: process.env.CI ? ['default'] : ['default'],
  // The widget's stylesheet is imported as a string (`?inline`); process it so tests see the real CSS.
  css: { include: [/embed-ui\/src\/.+\.css/] },
}

const OUT_DIR = 'dist/embed'
const WIDGET_BUILDS = {
  component: { entry: 'embed-ui/src/index.ts', prefix: 'patchbay-react', format: 'es' as const, name: 'PatchbayEmbed' },
  mapping: { entry: 'embed-ui/src/features/mapping/chunk/entry.ts', prefix: 'patchbay-mapping', format: 'iife' as const, name: 'PatchbayMapping' },
  standalone: { entry: 'embed-ui/src/element.ts', prefix: 'patchbay-embed', format: 'iife' as const, name: 'PatchbayEmbed' },
}
const MAPPING_DIR = resolve('embed-ui/src/features/mapping')

/**
 * Per build, modules swapped for others: the mapping editor's script borrows React, react-query and
 * the widget's stateful modules (`chunk/shims/*`); the standalone loads that script instead of
 * bundling the editor (`chunk/load-standalone.ts`); the component bundles it (`chunk/load-bundled.ts`).
 */
function swaps(kind: WidgetBuild): { find: RegExp; replacement: string }[] {
  const shim = (name: string) => join(MAPPING_DIR, 'chunk', 'shims', `${name}.ts`)
  if (kind === 'mapping') {
    return [
      { find: /^react\/jsx-runtime$/, replacement: shim('jsx-runtime') },
      { find: /^react$/, replacement: shim('react') },
      { find: /^@tanstack\/react-query$/, replacement: shim('react-query') },
      { find: /^(\.\.\/)+api\/client$/, replacement: shim('client') },
      { find: /^(\.\.\/)+api\/queries$/, replacement: shim('queries') },
      { find: /^(\.\.\/)+context$/, replacement: shim('context') },
    ]
  }
  const loader = kind === 'standalone' ? 'load-standalone.ts' : 'load-bundled.ts'
  return [{ find: /^\.\.\/mapping\/load-editor$/, replacement: join(MAPPING_DIR, 'chunk', loader) }]
}

/** The mapping editor script the standalone loads: its file and SRI hash, from the manifest the mapping build wrote. */
function mappingChunk(): { file: string; integrity: string } {
  const manifest = JSON.parse(readFileSync(join(resolve(OUT_DIR), 'manifest.json'), 'utf8')) as { mapping?: { file: string; integrity: string } }
  if (!manifest.mapping) throw new Error('build the mapping editor first: vite build --mode mapping')
  return manifest.mapping
}
type WidgetBuild = keyof typeof WIDGET_BUILDS

/**
 * Keeps `dist/embed` consistent across the two builds: before writing, removes this build's
 * earlier files (never the other build's); after, records the new file and its SRI hash.
 * @see https://www.w3.org/TR/SRI/#the-integrity-attribute
 */
function embedManifest(kind: WidgetBuild): Plugin {
  const { prefix } = WIDGET_BUILDS[kind]
  const outDir = resolve(OUT_DIR)
  const own = (f: string) => f.startsWith(`${prefix}.`) && f.endsWith('.js')
  return {
    name: 'patchbay-embed-manifest',
    apply: 'build',
    buildStart() {
      mkdirSync(outDir, { recursive: true })
      for (const f of readdirSync(outDir)) if (own(f)) rmSync(join(outDir, f))
    },
    writeBundle(_options, bundle) {
      const file = Object.keys(bundle).find(own)
      if (!file) throw new Error(`the ${kind} build wrote no ${prefix}.*.js`)
      const integrity = `sha384-${createHash('sha384').update(readFileSync(join(outDir, file))).digest('base64')}`
      const path = join(outDir, 'manifest.json')
      let manifest: Record<string, unknown> = {}
      try {
        manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
      } catch {
        // first build
      }
      manifest[kind] = { file, integrity }
      writeFileSync(path, JSON.stringify(manifest, null, 2) + '\n')
    },
  }
}

function widgetBuild(kind: WidgetBuild): UserConfig {
  const { entry, prefix, format, name } = WIDGET_BUILDS[kind]
  return {
    plugins: [react(), embedManifest(kind)],
    resolve: { alias: swaps(kind) },
    // Every build is loaded as files by browsers (hashed names, SRI): no `process` there.
    define: { 'process.env.NODE_ENV': JSON.stringify('production'), ...(kind === 'standalone' ? { __PATCHBAY_MAPPING_CHUNK__: JSON.stringify(mappingChunk()) } : {}) },
    publicDir: false,
    build: {
      outDir: OUT_DIR,
      emptyOutDir: false,
      copyPublicDir: false,
      target: 'es2022',
      minify: true,
      sourcemap: false,
      reportCompressedSize: true,
      lib: { entry, formats: [format], name, fileName: () => `${prefix}.[hash].js` },
      rolldownOptions: {
        external: kind === 'component' ? ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client'] : [],
        // Vite keeps ES library output readable for the consumer's bundler; ours is served as is.
        output: { minify: true, comments: { annotation: false, legal: false, jsdoc: false } },
      },
    },
    test,
  }
}

export default defineConfig(({ command, mode }) => {
  if (command === 'build' && (mode === 'component' || mode === 'mapping' || mode === 'standalone')) {
    // The JSX transform picks its runtime from NODE_ENV: a build started under NODE_ENV=test (inside
    // vitest) would emit jsxDEV calls that production React does not have.
    process.env.NODE_ENV = 'production'
    return widgetBuild(mode)
  }
  return { test }
})
