/**
 * The built widget (`npm run build:embed` → `dist/embed/`): content-hashed files served with
 * long-lived caching, their Subresource Integrity hashes in `/embed/manifest.json`, and stable
 * aliases (`/embed/patchbay-embed.js`, `/embed/patchbay-react.js`) that redirect to the current build.
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Hono } from 'hono'
import { PatchbayError } from '../lib/errors'
import type { AppEnv } from '../middleware/types'

export const EMBED_DIR = fileURLToPath(new URL('../../../dist/embed', import.meta.url))

/** One built bundle: its hashed file name and SRI hash (`sha384-…`). */
export interface EmbedAsset {
  file: string
  integrity: string
}
export interface EmbedManifest {
  standalone: EmbedAsset
  component: EmbedAsset
  /** The field-mapping editor the standalone widget loads when first shown (pinned inside it by file and hash). */
  mapping?: EmbedAsset | undefined
}

interface Loaded {
  manifest: EmbedManifest
  files: Map<string, Buffer>
}

let loaded: { at: number; value: Loaded } | undefined

/**
 * Reads the manifest and bundles, again whenever the manifest changes (a rebuild while the
 * server runs); null when the widget has not been built (checked again on the next call).
 */
export function loadEmbedAssets(dir = EMBED_DIR): Loaded | null {
  const file = join(dir, 'manifest.json')
  const at = existsSync(file) ? statSync(file).mtimeMs : -1
  if (at < 0) return null
  if (loaded && loaded.at === at && dir === EMBED_DIR) return loaded.value
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as EmbedManifest
  const files = new Map<string, Buffer>()
  for (const asset of [manifest.standalone, manifest.component, manifest.mapping]) {
    if (!asset) continue
    const path = join(dir, asset.file)
    if (existsSync(path)) files.set(asset.file, readFileSync(path))
    if (existsSync(`${path}.map`)) files.set(`${asset.file}.map`, readFileSync(`${path}.map`))
  }
  const value = { manifest, files }
  if (dir === EMBED_DIR) loaded = { at, value }
  return value
}

function requireAssets(): Loaded {
  const assets = loadEmbedAssets()
  if (!assets) throw new PatchbayError('not_found', 'The widget is not built: run `npm run build:embed`')
  return assets
}

const ALIASES: Record<string, 'standalone' | 'component'> = { 'patchbay-embed.js': 'standalone', 'patchbay-react.js': 'component' }

export const embedAssetRoutes = new Hono<AppEnv>()
  .get('/embed/manifest.json', (c) => {
    const { manifest } = requireAssets()
    const base = c.get('ctx').config.publicUrl
    c.header('cache-control', 'no-cache')
    c.header('access-control-allow-origin', '*')
    const url = (a: EmbedAsset) => ({ ...a, url: `${base}/embed/${a.file}` })
    return c.json({ standalone: url(manifest.standalone), component: url(manifest.component), ...(manifest.mapping ? { mapping: url(manifest.mapping) } : {}) })
  })
  .get('/embed/:file', (c) => {
    const name = c.req.param('file')
    const assets = requireAssets()
    const alias = ALIASES[name]
    if (alias) {
      c.header('cache-control', 'public, max-age=300')
      return c.redirect(`/embed/${assets.manifest[alias].file}`, 302)
    }
    const body = assets.files.get(name)
    if (!body) throw new PatchbayError('not_found', `No widget file ${JSON.stringify(name)}`)
    return c.body(new Uint8Array(body), 200, {
      'content-type': name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8',
      // Hashed names never change content: cache for a year.
      'cache-control': 'public, max-age=31536000, immutable',
      // Cross-origin <script integrity crossorigin> needs CORS.
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
    })
  })
