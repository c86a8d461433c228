/**
 * The standalone widget's `loadMappingEditor` (swapped in for `../load-editor.ts` by the standalone
 * build): lends the editor its dependencies (`./shared.ts`), then loads `patchbay-mapping.<hash>.js`
 * next to the widget's own script, pinned by its SRI hash (baked in at build time, so the host's
 * `integrity` on the widget covers the editor too), once.
 */
import { SHARED_GLOBAL, shared } from './shared'

declare const __PATCHBAY_MAPPING_CHUNK__: { file: string; integrity: string }

/** Where the widget's script came from, read while it runs for the first time (null when it was not a classic script). */
const ownScript = typeof document !== 'undefined' ? ((document.currentScript as HTMLScriptElement | null)?.src ?? null) : null

let loading: Promise<typeof import('../mapping-editor')> | undefined

/** @param origin Patchbay's origin, used when the widget's own script URL is unknown (`/embed/` there). */
export function loadMappingEditor(origin: string): Promise<typeof import('../mapping-editor')> {
  loading ??= new Promise((resolve, reject) => {
    const g = globalThis as unknown as Record<string, unknown>
    g[SHARED_GLOBAL] = shared
    const script = document.createElement('script')
    script.src = new URL(__PATCHBAY_MAPPING_CHUNK__.file, ownScript ?? `${origin}/embed/`).href
    script.integrity = __PATCHBAY_MAPPING_CHUNK__.integrity
    script.crossOrigin = 'anonymous'
    script.async = true
    script.onload = () => {
      const editor = g.PatchbayMapping as typeof import('../mapping-editor') | undefined
      if (editor?.MappingEditor) resolve(editor)
      else reject(new Error('the mapping editor script did not load'))
    }
    script.onerror = () => {
      loading = undefined
      script.remove()
      reject(new Error(`could not load ${script.src}`))
    }
    document.head.append(script)
  })
  return loading
}
