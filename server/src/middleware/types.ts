import type { AppContext } from '../context'
import type { SessionPrincipal } from '../services/connect-sessions'
import type { SecretKeyPrincipal } from '../services/tenants'

/** Hono environment of every route: the context and the authenticated principal. */
export interface AppEnv {
  Variables: {
    ctx: AppContext
    requestId: string
    secret: SecretKeyPrincipal
    session: SessionPrincipal
  }
}
