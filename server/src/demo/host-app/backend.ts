/**
 * What Acme CRM's backend does with Patchbay, through the SDK only — the code a vendor writes:
 * mint a connect session for the signed-in user, and read that user's Demo CRM contacts through
 * the proxy. Nothing here touches Patchbay's internals.
 */
import { Patchbay, PatchbayError, type Connection } from '../../../../sdk/src/index'

/** The signed-in user of the demo. Acme CRM has no login: every visitor is Jamie. */
export const DEMO_USER = { id: 'acme-user-1', email: 'jamie@acme.test', displayName: 'Jamie Rivera' } as const

/** The integrations that bring Demo CRM data into Acme CRM, in order of preference. */
export const CRM_INTEGRATIONS = ['demo-crm', 'demo-crm-api-key'] as const

/** A contact as the Demo CRM API returns it (`GET /contacts`), the fields Acme CRM shows. */
export interface CrmContact {
  id: string
  first_name: string
  last_name: string
  email: string
  lifecycle_stage: 'lead' | 'opportunity' | 'customer'
  phone: string | null
}

/** The connection a panel talks about, without anything secret (there is nothing secret in it anyway). */
export interface ConnectionSummary {
  id: string
  integration: string
  accountLabel: string | null
  status: Connection['status']
}

/** What the contacts panel shows; `state` drives the UI. */
export type CrmContacts =
  | { state: 'not_connected' }
  | { state: 'needs_reauth'; connection: ConnectionSummary; reason: string }
  | { state: 'connected'; connection: ConnectionSummary; contacts: CrmContact[]; hasMore: boolean }
  | { state: 'provider_error'; connection: ConnectionSummary; status: number; message: string }

const summary = (c: Connection): ConnectionSummary => ({ id: c.id, integration: c.integration, accountLabel: c.accountLabel, status: c.status })

export class AcmeBackend {
  constructor(
    readonly patchbay: Patchbay,
    private readonly opts: { sessionTtlSeconds?: number | undefined } = {},
  ) {}

  /**
   * A connect session for the signed-in user, usable only from `origin` (the page asking for it).
   * @see README "SDK quick start", step 1.
   */
  async createSession(origin: string): Promise<{ token: string; expiresAt: string }> {
    const { token, expiresAt } = await this.patchbay.connectSessions.create({
      endUser: { id: DEMO_USER.id, email: DEMO_USER.email, displayName: DEMO_USER.displayName },
      allowedOrigins: [origin],
      ...(this.opts.sessionTtlSeconds ? { ttlSeconds: this.opts.sessionTtlSeconds } : {}),
    })
    return { token, expiresAt }
  }

  /**
   * The user's first contacts in Demo CRM, through Patchbay's proxy (`GET /contacts?limit=`).
   * Prefers an active OAuth connection, then an active API-key one; reports a connection that
   * needs the user to reconnect instead of failing.
   * @throws {PatchbayError} when Patchbay itself fails (unreachable, bad secret key…).
   */
  async contacts(limit = 10): Promise<CrmContacts> {
    const { data } = await this.patchbay.connections.list({ endUserId: DEMO_USER.id, limit: 200 })
    const rank = (c: Connection) => CRM_INTEGRATIONS.indexOf(c.integration as (typeof CRM_INTEGRATIONS)[number])
    const candidates = data.filter((c) => rank(c) >= 0).sort((a, b) => rank(a) - rank(b))
    const active = candidates.find((c) => c.status === 'active')
    if (!active) {
      const stale = candidates.find((c) => c.status === 'needs_reauth' || c.status === 'error')
      return stale ? { state: 'needs_reauth', connection: summary(stale), reason: stale.statusReason ?? 'The connection stopped working' } : { state: 'not_connected' }
    }
    try {
      const res = await this.patchbay.proxy.get<{ data: CrmContact[]; next_cursor: string | null }>(active.id, '/contacts', { query: { limit } })
      if (!res.ok) return { state: 'provider_error', connection: summary(active), status: res.status, message: providerMessage(res.data) ?? `Demo CRM answered HTTP ${res.status}` }
      return { state: 'connected', connection: summary(active), contacts: res.data.data, hasMore: res.data.next_cursor !== null }
    } catch (err) {
      // Patchbay could not refresh the token: the user has to connect again, in the widget.
      if (err instanceof PatchbayError && (err.code === 'reauth_required' || err.code === 'connection_not_active')) {
        return { state: 'needs_reauth', connection: { ...summary(active), status: 'needs_reauth' }, reason: err.detail }
      }
      // Disconnected between the list and the call.
      if (err instanceof PatchbayError && err.code === 'not_found') return { state: 'not_connected' }
      throw err
    }
  }
}

function providerMessage(data: unknown): string | undefined {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; error?: unknown }
    if (typeof d.message === 'string') return d.message
    if (typeof d.error === 'string') return d.error
  }
  return undefined
}
