/**
 * What every part of one widget instance shares: the API client, the merged messages, how to
 * tell the host about events, and options. Created in `mount.tsx`.
 */
import { createContext, useContext } from 'react'
import { ApiError, type ApiClient } from './api/client'
import type { Messages } from './messages'
import type { EmitFn, ErrorStage } from './types'

export interface Widget {
  api: ApiClient
  messages: Messages
  emit: EmitFn
  locale: string | undefined
  allowedIntegrations: readonly string[] | undefined
  closable: boolean
  /** Whether the host gave a session token or a `getSessionToken` callback yet; until then nothing loads. */
  authorized: boolean
}

export const WidgetContext = createContext<Widget | null>(null)

export function useWidget(): Widget {
  const w = useContext(WidgetContext)
  if (!w) throw new Error('Patchbay widget parts must be rendered inside the widget root')
  return w
}

/** Sends an `error` event for a failure; an expired session is reported as the `session` stage. */
export function reportError(emit: EmitFn, stage: ErrorStage, err: unknown, integration?: string): void {
  const code = err instanceof ApiError ? err.code : 'internal'
  const message = err instanceof Error ? err.message : String(err)
  emit('error', { stage: code === 'session_expired' ? 'session' : stage, code, message, ...(integration ? { integration } : {}) })
}

/** Plain words for a failure, from its code. */
export function describeError(err: unknown, m: Messages): string {
  if (!(err instanceof ApiError)) return m.errors.generic
  if (err.code === 'network_error') return m.errors.network
  if (err.code === 'session_expired' || err.code === 'unauthenticated') return m.errors.sessionExpired
  if (err.code === 'forbidden' || err.code === 'origin_not_allowed' || err.code === 'integration_not_allowed') return m.errors.forbidden
  if (err.status >= 500 || err.code === 'bad_response') return m.errors.generic
  return err.detail || m.errors.generic
}
