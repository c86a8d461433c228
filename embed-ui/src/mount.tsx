/**
 * The widget root shared by the React component and the custom element: the API client, the
 * QueryClient and the messages of one instance, its stylesheet (a `<style>` inside the shadow
 * root, so host CSS cannot reach in and ours cannot leak out) and the theme.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react'
import { createPortal } from 'react-dom'
import { QueryClientProvider } from '@tanstack/react-query'
import { createApiClient } from './api/client'
import { createWidgetQueryClient } from './api/queries'
import { App } from './app'
import { WidgetContext, type Widget } from './context'
import { defaultMessages, mergeMessages } from './messages'
import css from './theme.css?inline'
import type { EmitFn, Theme, ThemeMode, WidgetOptions } from './types'

/** The mode of a theme (default `light`: a host page is light unless it says otherwise). */
export function themeMode(theme: Theme | undefined): ThemeMode {
  const mode = typeof theme === 'string' ? theme : theme?.mode
  return mode === 'dark' || mode === 'auto' ? mode : 'light'
}

/** A theme's variable overrides as inline custom properties (`accent` → `--pb-accent`). */
function themeStyle(theme: Theme | undefined): CSSProperties | undefined {
  if (!theme || typeof theme === 'string' || !theme.variables) return undefined
  const style: Record<string, string> = {}
  for (const [k, v] of Object.entries(theme.variables)) {
    if (typeof v === 'string' && /^[a-z0-9-]+$/.test(k)) style[`--pb-${k}`] = v
  }
  return style as CSSProperties
}

export interface WidgetRootProps extends WidgetOptions {
  emit: EmitFn
}

/** Renders one widget; put it inside a shadow root. */
export function WidgetRoot({ sessionToken, baseUrl = '', getSessionToken, allowedIntegrations, theme, messages, locale, closable = false, emit }: WidgetRootProps) {
  // The latest values, read when needed, so changing them never rebuilds the client.
  const latest = useRef({ sessionToken, getSessionToken, emit })
  latest.current = { sessionToken, getSessionToken, emit }

  const api = useMemo(
    () =>
      createApiClient({
        baseUrl,
        getToken: () => latest.current.sessionToken || undefined,
        renewToken: () => {
          const get = latest.current.getSessionToken
          return get ? get() : Promise.reject(new Error('the host gave no getSessionToken callback'))
        },
      }),
    [baseUrl],
  )
  const [queryClient] = useState(createWidgetQueryClient)

  // A new token from the host may be for a new session: load again.
  const firstToken = useRef(sessionToken)
  useEffect(() => {
    if (sessionToken !== firstToken.current) {
      firstToken.current = sessionToken
      void queryClient.invalidateQueries()
    }
  }, [sessionToken, queryClient])

  const stableEmit = useCallback<EmitFn>((type, detail) => latest.current.emit(type, detail), [])
  const messagesKey = JSON.stringify(messages ?? null)
  const authorized = !!sessionToken || !!getSessionToken
  const allowedKey = allowedIntegrations?.join(',') ?? ''
  const widget = useMemo<Widget>(
    () => ({
      api,
      messages: mergeMessages(defaultMessages, messages),
      emit: stableEmit,
      locale,
      allowedIntegrations: allowedKey ? allowedKey.split(',') : undefined,
      closable,
      authorized,
    }),
    // `messages` by value (hosts often pass a new object literal each render)
    [api, messagesKey, stableEmit, locale, allowedKey, closable, authorized],
  )

  return (
    <QueryClientProvider client={queryClient}>
      <WidgetContext.Provider value={widget}>
        <style>{css}</style>
        <App rootProps={{ 'data-theme': themeMode(theme), lang: locale, style: themeStyle(theme) }} />
      </WidgetContext.Provider>
    </QueryClientProvider>
  )
}

/**
 * A `<div>` with an open shadow root, its children rendered inside it (React portal).
 * The mode goes on the host as `data-pb-mode`, where the theme's `:host(…)` rules read it.
 */
export function ShadowHost({ mode, className, style, children }: { mode: ThemeMode; className?: string | undefined; style?: CSSProperties | undefined; children: ReactNode }) {
  const [root, setRoot] = useState<ShadowRoot | null>(null)
  const attach = useCallback((el: HTMLDivElement | null) => {
    if (el) setRoot(el.shadowRoot ?? el.attachShadow({ mode: 'open' }))
  }, [])
  return (
    <div ref={attach} data-patchbay-host="" data-pb-mode={mode} className={className} style={style}>
      {root && createPortal(children, root)}
    </div>
  )
}
