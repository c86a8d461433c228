/**
 * The OAuth connect flow of a widget: one popup at a time (see `popup.ts`), its state for the
 * screens (`authorizing`, then `success`, `closed`, `denied`, `blocked` or `failed`), and the
 * events to the host. Lives at the top of the widget so it survives leaving the detail view.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { ApiError } from '../../api/client'
import { connectionsQuery, embedKeys, useStartAuthorization } from '../../api/queries'
import type { Connection } from '../../api/types'
import { reportError, useWidget } from '../../context'
import { PopupController } from '../../popup'

export interface OAuthRequest {
  integration: string
  /** Re-authorize this connection (keeps its id). */
  connectionId?: string | undefined
  connectionConfig?: Record<string, string> | undefined
}

export type OAuthPhase = 'authorizing' | 'success' | 'closed' | 'denied' | 'blocked' | 'failed'

export interface OAuthState {
  request: OAuthRequest
  phase: OAuthPhase
  /** `success`: the connection made or re-authorized. */
  connectionId?: string
  reconnected?: boolean
  /** `failed`: the reason (API error or the callback page's message). */
  error?: unknown
}

export interface OAuthFlow {
  state: OAuthState | null
  /**
   * Opens the popup; call synchronously from a click or submit handler. Resolves with the API's
   * error when the authorization could not start because of invalid input (field errors to
   * show in the form), else with `null`. Returns `null` when a popup was already open (it is focused).
   */
  start: (request: OAuthRequest) => Promise<ApiError | null> | null
  focus: () => void
  cancel: () => void
  /** Forgets a finished flow (not a running one). */
  dismiss: () => void
}

export const OAuthFlowContext = createContext<OAuthFlow | null>(null)

export function useOAuth(): OAuthFlow {
  const flow = useContext(OAuthFlowContext)
  if (!flow) throw new Error('useOAuth needs the widget root')
  return flow
}

/** The connection this attempt made, found after the popup was closed without a result. */
function madeAnyway(request: OAuthRequest, before: Connection[], after: Connection[]): Connection | undefined {
  if (request.connectionId) {
    const old = before.find((c) => c.id === request.connectionId)
    return after.find((c) => c.id === request.connectionId && c.status === 'active' && (!old || old.updatedAt !== c.updatedAt))
  }
  return after.find((c) => c.integration === request.integration && c.status === 'active' && !before.some((b) => b.id === c.id))
}

export function useOAuthFlow(): OAuthFlow {
  const { api, emit } = useWidget()
  const qc = useQueryClient()
  const { mutateAsync: authorize } = useStartAuthorization(api)
  const [state, setState] = useState<OAuthState | null>(null)
  const controller = useMemo(() => new PopupController({ origin: api.origin }), [api.origin])
  useEffect(() => () => controller.dispose(), [controller])

  const start = useCallback(
    (request: OAuthRequest): Promise<ApiError | null> | null => {
      const before = qc.getQueryData<Connection[]>(embedKeys.connections()) ?? []
      const run = controller.start(() => authorize(request).then((r) => r.url))
      if (!run) return null
      setState({ request, phase: 'authorizing' })
      const succeed = (connectionId: string, reconnected: boolean) => {
        setState({ request, phase: 'success', connectionId, reconnected })
        emit(reconnected ? 'reconnect' : 'connect', { connectionId, integration: request.integration })
      }
      return run.then(async (outcome): Promise<ApiError | null> => {
        switch (outcome.kind) {
          case 'success':
            await qc.invalidateQueries({ queryKey: embedKeys.connections() })
            succeed(outcome.connectionId, outcome.reconnected)
            return null
          case 'closed': {
            // The callback page may have saved the connection before the window was closed.
            const after = await qc.fetchQuery({ ...connectionsQuery(api), staleTime: 0 }).catch(() => null)
            const made = after && madeAnyway(request, before, after)
            if (made) {
              succeed(made.id, !!request.connectionId)
              return null
            }
            setState({ request, phase: 'closed' })
            emit('error', { stage: 'authorize', code: 'popup_closed', message: 'The authorization window was closed', integration: request.integration })
            return null
          }
          case 'blocked':
            setState({ request, phase: 'blocked' })
            emit('error', { stage: 'authorize', code: 'popup_blocked', message: 'The browser blocked the authorization window', integration: request.integration })
            return null
          case 'error':
            setState({ request, phase: outcome.code === 'oauth_denied' ? 'denied' : 'failed', error: new ApiError(400, outcome.code, outcome.message) })
            emit('error', { stage: 'authorize', code: outcome.code, message: outcome.message, integration: request.integration })
            void qc.invalidateQueries({ queryKey: embedKeys.connections() })
            return null
          case 'cancelled':
            setState(null)
            return null
          case 'failed': {
            const err = outcome.error
            reportError(emit, 'authorize', err, request.integration)
            // Field errors (e.g. `connectionConfig.subdomain`) go back to the form that started this.
            if (err instanceof ApiError && err.errors.length) {
              setState(null)
              return err
            }
            setState({ request, phase: 'failed', error: err })
            return null
          }
        }
      })
    },
    [api, authorize, controller, emit, qc],
  )

  return useMemo(
    () => ({
      state,
      start,
      focus: () => controller.focus(),
      cancel: () => controller.cancel(),
      dismiss: () => setState((s) => (s?.phase === 'authorizing' ? s : null)),
    }),
    [state, start, controller],
  )
}
