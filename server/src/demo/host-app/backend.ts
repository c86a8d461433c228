/**
 * What Acme CRM's backend does with Patchbay, through the SDK only — the code a vendor writes:
 * mint a connect session for the signed-in user, read that user's Demo CRM contacts through the
 * proxy, and keep Acme's own copy of them up to date from Patchbay's syncs (a webhook endpoint
 * for `sync.*` and `connection.*` events, and the records change feed). Nothing here touches
 * Patchbay's internals.
 */
import { Patchbay, PatchbayError, verifyWebhook, type VendorModelPutParams, type Connection, type Sync, type SyncRun, type WebhookEvent, type WebhookEventType, type WebhookHeaders } from '../../../../sdk/src/index'
import { isCopiedModel, LocalCopy, type LocalContact } from './local-copy'

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

/** A sync run as the synced panel shows it. */
export interface RunSummary {
  id: string
  status: SyncRun['status']
  trigger: SyncRun['trigger']
  mode: SyncRun['mode']
  added: number
  updated: number
  deleted: number
  error: SyncRun['error']
  startedAt: string | null
  finishedAt: string | null
}

/** What the "Synced from your CRM" panel shows: Acme's own copy, and the state of the contacts sync. */
export type SyncedContacts =
  | { state: 'not_connected' }
  | {
      state: 'connected'
      connection: ConnectionSummary
      /** Live contacts in Acme's copy, and deleted ones it still shows as such. */
      contacts: { count: number; deleted: number; recent: LocalContact[] }
      companies: { count: number }
      /** When Acme last read the contacts feed up to date; `null` before the first read. */
      readAt: string | null
      /** The `contacts` sync at Patchbay; `null` if the connector has none. */
      sync: { status: Sync['status']; frequency: string; nextRunAt: string | null; lastRun: RunSummary | null } | null
    }

/** The sync behind the panel and the "Sync now" button. */
export const CONTACTS_SYNC = 'contacts'

/** The events Acme's webhook endpoint receives. */
export const WEBHOOK_EVENTS: WebhookEventType[] = ['sync.succeeded', 'sync.failed', 'mapping.applied', 'connection.created', 'connection.needs_reauth', 'connection.deleted']

/**
 * Acme CRM's own contact model, declared to Patchbay (`models.put`). Its names and stages are not
 * the Demo CRM's (`stage` prospect/qualified/customer against `lifecycle_stage` lead/opportunity/customer,
 * `since` against `created_at`): the end user maps them in the widget, and the change feed then
 * brings contacts in this shape.
 */
export const ACME_CONTACT_MODEL = {
  description: 'A person in Acme CRM',
  fields: {
    email: { type: 'string', required: true, description: 'Where Acme writes to them' },
    firstName: { type: 'string' },
    lastName: { type: 'string' },
    company: { type: 'string', description: 'Their company, as your CRM names it' },
    stage: { type: 'enum', required: true, enumValues: ['prospect', 'qualified', 'customer'], description: "Where they are in Acme's pipeline" },
    since: { type: 'datetime', description: 'When they became a contact' },
  },
} satisfies VendorModelPutParams

/** Why `handleWebhook` refused a delivery; `status` is the HTTP answer. */
export class WebhookRejected extends Error {
  constructor(
    readonly status: 400 | 503,
    message: string,
  ) {
    super(message)
  }
}

/** Why `syncNow` could not start a run: no usable connection (409), or Patchbay said no. */
export class SyncNotStarted extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const summary = (c: Connection): ConnectionSummary => ({ id: c.id, integration: c.integration, accountLabel: c.accountLabel, status: c.status })

const runSummary = (r: SyncRun): RunSummary => ({ id: r.id, status: r.status, trigger: r.trigger, mode: r.mode, added: r.added, updated: r.updated, deleted: r.deleted, error: r.error, startedAt: r.startedAt, finishedAt: r.finishedAt })

/** Webhook ids remembered for deduplication (Patchbay sends the same `webhook-id` on every attempt). */
const SEEN_WEBHOOKS = 1000

/** The CRM connections of the signed-in user, best first: active OAuth, active API key, then the rest. */
function rankConnections(data: Connection[]): Connection[] {
  const rank = (c: Connection) => CRM_INTEGRATIONS.indexOf(c.integration as (typeof CRM_INTEGRATIONS)[number])
  return data.filter((c) => c.endUserId === DEMO_USER.id && rank(c) >= 0).sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || rank(a) - rank(b))
}

export class AcmeBackend {
  /** Acme's own copy of the user's CRM records. */
  readonly copy: LocalCopy
  /** The webhook endpoint's signing secret; `undefined` until `start` registered it. */
  #webhookSecret: string | undefined
  /** Deliveries seen (by `webhook-id`), with their processing: a repeat waits for the same outcome. */
  readonly #webhooks = new Map<string, Promise<void>>()
  /** Deliveries handled, and repeats skipped (same `webhook-id`). */
  readonly webhookStats = { handled: 0, duplicates: 0 }

  constructor(
    readonly patchbay: Patchbay,
    private readonly opts: { sessionTtlSeconds?: number | undefined } = {},
  ) {
    this.copy = new LocalCopy(patchbay)
  }

  /**
   * Gets Acme ready for syncs: registers its webhook endpoint with Patchbay (once per URL; on a
   * restart the existing endpoint is kept and its secret rotated, since Acme keeps it only in
   * memory), then reads the change feed of the user's existing connections so a restart shows data.
   * The endpoint comes first: every event signed with the new secret is accepted, and whatever
   * happened before is in the feed.
   * @param webhookUrl where Patchbay reaches this app's `POST /webhooks/patchbay`.
   * @throws {PatchbayError} when Patchbay is unreachable or refuses the key.
   */
  async start(webhookUrl: string): Promise<void> {
    // Acme's data model first: the widget's mapping screen maps Demo CRM contacts to it.
    await this.patchbay.models.put('Contact', ACME_CONTACT_MODEL)
    const existing = (await this.patchbay.webhookEndpoints.list()).data.find((e) => e.url === webhookUrl)
    if (existing) {
      const events = new Set(existing.events)
      if (!existing.enabled || existing.events.length !== WEBHOOK_EVENTS.length || !WEBHOOK_EVENTS.every((e) => events.has(e))) {
        await this.patchbay.webhookEndpoints.update(existing.id, { events: WEBHOOK_EVENTS, enabled: true })
      }
      this.#webhookSecret = (await this.patchbay.webhookEndpoints.rotateSecret(existing.id)).secret
    } else {
      const created = await this.patchbay.webhookEndpoints.create({ url: webhookUrl, events: WEBHOOK_EVENTS, description: 'Acme CRM demo app: keeps its copy of synced contacts' })
      this.#webhookSecret = created.secret
    }
    const { data } = await this.patchbay.connections.list({ endUserId: DEMO_USER.id, limit: 200 })
    await Promise.all(rankConnections(data).map((c) => this.copy.catchUpAll(c.id)))
  }

  /**
   * Handles one delivery to `POST /webhooks/patchbay`: verifies its signature, skips a repeat of a
   * delivery already handled (same `webhook-id`), and applies it — on `sync.succeeded`, reads the
   * change feed of the run's model from Acme's cursor.
   * @param rawBody the body exactly as received.
   * @throws {WebhookRejected} 400 for a bad signature or body, 503 before `start` has registered the endpoint.
   * @throws {PatchbayError} when reading the feed fails (answer 5xx: Patchbay retries the delivery).
   */
  async handleWebhook(rawBody: string, headers: WebhookHeaders): Promise<void> {
    if (!this.#webhookSecret) throw new WebhookRejected(503, 'Not ready for webhooks yet')
    let event: WebhookEvent
    try {
      event = await verifyWebhook(rawBody, headers, this.#webhookSecret)
    } catch (err) {
      if (err instanceof PatchbayError) throw new WebhookRejected(400, err.detail)
      throw err
    }
    const id = webhookId(headers)
    const seen = this.#webhooks.get(id)
    if (seen) {
      this.webhookStats.duplicates++
      return seen
    }
    const handling = this.#apply(event)
    this.#webhooks.set(id, handling)
    if (this.#webhooks.size > SEEN_WEBHOOKS) this.#webhooks.delete(this.#webhooks.keys().next().value as string)
    try {
      await handling
      this.webhookStats.handled++
    } catch (err) {
      // Not handled: forget it, so Patchbay's retry of the same delivery is handled afresh.
      this.#webhooks.delete(id)
      throw err
    }
  }

  async #apply(event: WebhookEvent): Promise<void> {
    switch (event.type) {
      case 'sync.succeeded':
      case 'mapping.applied': {
        // New or changed records, or all of them again in the shape of a new mapping: either way, read the feed.
        const connection = event.data.connection as Partial<Connection> | undefined
        const changes = event.data.changes as { model?: unknown } | undefined
        // Acme has one user; another end user's connection (say the walkthrough's) is not Acme's.
        if (connection?.endUserId !== DEMO_USER.id || !connection.id || !isCopiedModel(changes?.model)) return
        await this.copy.catchUp(connection.id, changes.model)
        return
      }
      case 'sync.failed':
        // Nothing changed; the panel shows the failed run (read from Patchbay).
        return
      default: {
        const connection = event.data as Connection
        if (connection.endUserId !== DEMO_USER.id || !(CRM_INTEGRATIONS as readonly string[]).includes(connection.integration)) return
        if (event.type === 'connection.created') this.copy.track(connection.id)
        else if (event.type === 'connection.deleted') this.copy.forget(connection.id)
      }
    }
  }

  /**
   * What the "Synced from your CRM" panel shows: the counts and the `limit` most recently changed
   * contacts of Acme's copy, and the contacts sync with its last run (read from Patchbay).
   * @throws {PatchbayError} when Patchbay itself fails.
   */
  async synced(limit = 10): Promise<SyncedContacts> {
    const { data } = await this.patchbay.connections.list({ endUserId: DEMO_USER.id, limit: 200 })
    const connection = rankConnections(data).find((c) => c.status !== 'revoked')
    if (!connection) return { state: 'not_connected' }
    let sync: Sync | undefined
    try {
      sync = (await this.patchbay.syncs.list(connection.id)).data.find((s) => s.name === CONTACTS_SYNC)
    } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found') return { state: 'not_connected' }
      throw err
    }
    const contacts = this.copy.count(connection.id, 'contact')
    return {
      state: 'connected',
      connection: summary(connection),
      contacts: { count: contacts.live, deleted: contacts.deleted, recent: this.copy.recentContacts(connection.id, limit) },
      companies: { count: this.copy.count(connection.id, 'company').live },
      readAt: this.copy.readAt(connection.id, 'contact'),
      sync: sync ? { status: sync.status, frequency: sync.frequency, nextRunAt: sync.nextRunAt, lastRun: sync.lastRun ? runSummary(sync.lastRun) : null } : null,
    }
  }

  /**
   * Runs the contacts sync of the user's active CRM connection now (`syncs.trigger`). Its changes
   * arrive like any run's: a `sync.succeeded` webhook, then the feed.
   * @returns the run (the one already queued or running, if any).
   * @throws {SyncNotStarted} `not_connected`, or Patchbay's `reauth_required` / `connection_not_active`.
   * @throws {PatchbayError} when Patchbay itself fails.
   */
  async syncNow(): Promise<RunSummary> {
    const { data } = await this.patchbay.connections.list({ endUserId: DEMO_USER.id, limit: 200 })
    const connection = rankConnections(data).find((c) => c.status === 'active')
    if (!connection) throw new SyncNotStarted('not_connected', 'Connect Demo CRM first (or reconnect it).')
    try {
      return runSummary(await this.patchbay.syncs.trigger(connection.id, CONTACTS_SYNC))
    } catch (err) {
      if (err instanceof PatchbayError && ['reauth_required', 'connection_not_active', 'not_found'].includes(err.code)) throw new SyncNotStarted(err.code, err.detail)
      throw err
    }
  }

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
    const candidates = rankConnections(data)
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

/** The `webhook-id` header (present: `verifyWebhook` checked it). */
function webhookId(headers: WebhookHeaders): string {
  if (headers instanceof Headers) return headers.get('webhook-id') ?? ''
  const v = Object.entries(headers).find(([k]) => k.toLowerCase() === 'webhook-id')?.[1]
  return (Array.isArray(v) ? v[0] : v) ?? ''
}

function providerMessage(data: unknown): string | undefined {
  if (data && typeof data === 'object') {
    const d = data as { message?: unknown; error?: unknown }
    if (typeof d.message === 'string') return d.message
    if (typeof d.error === 'string') return d.error
  }
  return undefined
}
