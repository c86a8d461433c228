// @ts-check
/**
 * Acme CRM's page script (plain JavaScript, no build). It
 * - gives the Patchbay widget a `getSessionToken` callback that asks Acme's own backend for a
 *   connect session token (`POST /api/patchbay/session`);
 * - listens to the widget's events to refresh what Acme shows and to report failures;
 * - renders the contacts Acme's backend reads through Patchbay's proxy (`GET /api/crm/contacts`);
 * - on Integrations, shows Acme's own copy of the synced contacts and the last sync run, polling
 *   `GET /api/crm/synced` every few seconds, with a "Sync now" button (`POST /api/crm/sync`).
 */

/** Display names of the integrations the demo knows, for messages. */
const INTEGRATION_NAMES = /** @type {Record<string, string>} */ ({ 'demo-crm': 'Demo CRM', 'demo-crm-api-key': 'Demo CRM (API key)' })
const integrationName = (/** @type {string | undefined} */ key) => (key && INTEGRATION_NAMES[key]) || key || 'The integration'

/**
 * Creates an element: `el('a', { href: '/x', class: 'button' }, 'text', child)`. Text is always
 * set as text, never parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | undefined>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, v)
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c)
  return node
}

// ── Toasts ─────────────────────────────────────────────────────────────────────────────────
/**
 * @param {string} message
 * @param {'success' | 'error' | 'info'} [kind]
 */
function toast(message, kind = 'info') {
  const box = document.querySelector('.toasts')
  if (!box) return
  const t = el('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, el('span', { class: 'toast-dot', 'aria-hidden': 'true' }), el('span', {}, message))
  const dismiss = el('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, '×')
  dismiss.addEventListener('click', () => t.remove())
  t.append(dismiss)
  box.append(t)
  setTimeout(() => t.remove(), kind === 'error' ? 8000 : 4000)
}

// ── Acme's backend ─────────────────────────────────────────────────────────────────────────
/** @param {Response} res */
async function failure(res) {
  const body = await res.json().catch(() => ({}))
  return new Error(body.message || `HTTP ${res.status}`)
}

/** A fresh connect session token for the widget, from Acme's backend (which holds the secret key). */
async function fetchSessionToken() {
  const res = await fetch('/api/patchbay/session', { method: 'POST', headers: { accept: 'application/json' } })
  if (!res.ok) throw await failure(res)
  return /** @type {{ token: string }} */ (await res.json()).token
}

/**
 * @typedef {{ id: string, integration: string, accountLabel: string | null, status: string }} ConnectionSummary
 * @typedef {{ id: string, first_name: string, last_name: string, email: string, lifecycle_stage: string }} Contact
 * @typedef {{ state: 'not_connected' }
 *   | { state: 'needs_reauth', connection: ConnectionSummary, reason: string }
 *   | { state: 'connected', connection: ConnectionSummary, contacts: Contact[], hasMore: boolean }
 *   | { state: 'provider_error', connection: ConnectionSummary, status: number, message: string }} CrmContacts
 */

/** @param {number} limit @returns {Promise<CrmContacts>} */
async function fetchContacts(limit) {
  const res = await fetch(`/api/crm/contacts?limit=${limit}`, { headers: { accept: 'application/json' } })
  if (!res.ok) throw await failure(res)
  return res.json()
}

// ── Contacts ───────────────────────────────────────────────────────────────────────────────
const onIntegrationsPage = document.body.dataset.page === 'integrations'

function connectHint() {
  const text = 'Connect Demo CRM in Integrations to see your contacts here'
  return onIntegrationsPage ? el('p', {}, `${text}.`) : el('p', {}, el('a', { href: '/integrations' }, 'Connect Demo CRM in Integrations'), ' to see your contacts here.')
}

/** @param {ConnectionSummary} c */
function connectedAs(c) {
  const via = c.integration === 'demo-crm-api-key' ? 'API key' : 'OAuth'
  return el('p', { class: 'connected-as' }, el('span', { class: 'status-dot ok', 'aria-hidden': 'true' }), 'Connected as ', el('strong', {}, c.accountLabel || 'your account'), el('span', { class: 'muted' }, ` · via ${via}`))
}

/** @param {CrmContacts} data @param {boolean} compact */
function contactsView(data, compact) {
  switch (data.state) {
    case 'not_connected':
      return el('div', { class: 'empty' }, el('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '⇄'), el('h3', {}, 'No contacts yet'), connectHint())
    case 'needs_reauth':
      return el(
        'div',
        { class: 'notice warning', role: 'status' },
        el('strong', {}, 'Demo CRM needs you to reconnect.'),
        // The technical reason is for support, not for Jamie: kept as a tooltip.
        el('p', { title: data.reason }, onIntegrationsPage ? 'Click Reconnect on Demo CRM in the marketplace.' : el('span', {}, 'Open ', el('a', { href: '/integrations' }, 'Integrations'), ' and click Reconnect on Demo CRM.')),
      )
    case 'provider_error':
      return el('div', { class: 'notice error', role: 'status' }, el('strong', {}, `Demo CRM answered with an error (HTTP ${data.status}).`), el('p', {}, data.message))
    case 'connected': {
      const stage = (/** @type {string} */ s) => el('span', { class: `pill stage-${s}` }, s)
      const person = (/** @type {Contact} */ c, /** @type {boolean} */ withEmail) =>
        el(
          'div',
          { class: 'person' },
          el('span', { class: 'avatar small', 'aria-hidden': 'true' }, `${c.first_name[0] ?? ''}${c.last_name[0] ?? ''}`.toUpperCase()),
          el('div', {}, el('div', { class: 'person-name' }, `${c.first_name} ${c.last_name}`.trim()), withEmail ? el('div', { class: 'muted small' }, c.email) : null),
        )
      let list
      if (!data.contacts.length) list = el('p', { class: 'muted' }, 'Your Demo CRM account has no contacts.')
      else if (compact) list = el('ul', { class: 'contact-list' }, ...data.contacts.map((c) => el('li', {}, person(c, true), stage(c.lifecycle_stage))))
      else {
        const head = el('tr', {}, el('th', { scope: 'col' }, 'Name'), el('th', { scope: 'col' }, 'Email'), el('th', { scope: 'col' }, 'Stage'))
        const rows = data.contacts.map((c) => el('tr', {}, el('td', {}, person(c, false)), el('td', {}, c.email), el('td', {}, stage(c.lifecycle_stage))))
        list = el('table', { class: 'table' }, el('thead', {}, head), el('tbody', {}, ...rows))
      }
      const more = data.hasMore ? el('p', { class: 'muted small' }, compact ? el('a', { href: '/contacts' }, 'More in Contacts') : `Showing the first ${data.contacts.length} contacts.`) : null
      return el('div', {}, connectedAs(data.connection), list, more)
    }
  }
}

/** @param {CrmContacts} data */
function statusView(data) {
  switch (data.state) {
    case 'connected':
      return el('div', {}, connectedAs(data.connection), el('a', { class: 'button', href: '/contacts' }, 'View contacts'))
    case 'needs_reauth':
      return el('div', {}, el('p', {}, el('span', { class: 'status-dot warn', 'aria-hidden': 'true' }), 'Needs you to reconnect.'), el('a', { class: 'button', href: '/integrations' }, 'Reconnect'))
    case 'provider_error':
      return el('div', {}, connectedAs(data.connection), el('p', { class: 'muted' }, `Last call failed: ${data.message}`))
    default:
      return el('div', {}, el('p', { class: 'muted' }, 'Not connected yet. Your Demo CRM contacts will show up in Acme CRM once you connect it.'), el('a', { class: 'button primary', href: '/integrations' }, 'Connect Demo CRM'))
  }
}

/** Reloads every contacts panel and status card on the page. */
async function refreshCrm() {
  const panels = /** @type {HTMLElement[]} */ ([...document.querySelectorAll('[data-crm-contacts], [data-crm-status]')])
  await Promise.all(
    panels.map(async (panel) => {
      panel.setAttribute('aria-busy', 'true')
      try {
        const data = await fetchContacts(Number(panel.dataset.limit) || 5)
        panel.replaceChildren('crmStatus' in panel.dataset ? statusView(data) : contactsView(data, 'compact' in panel.dataset))
      } catch (err) {
        panel.replaceChildren(el('div', { class: 'notice error', role: 'status' }, el('strong', {}, 'Could not load your Demo CRM contacts.'), el('p', {}, /** @type {Error} */ (err).message)))
      } finally {
        panel.removeAttribute('aria-busy')
      }
    }),
  )
}

/**
 * Words for the host's toast. The widget explains each failure where it happened; the toast is
 * Acme's short note of it, in Acme's voice.
 * @param {string | undefined} code @param {string} name @param {string | undefined} message
 */
function errorText(code, name, message) {
  switch (code) {
    case 'oauth_denied':
      return `You declined access to ${name}.`
    case 'popup_closed':
      return `The ${name} sign-in window was closed.`
    case 'popup_blocked':
      return 'Your browser blocked the sign-in window.'
    case 'credentials_invalid':
      return `${name} did not accept those details.`
    case 'session_expired':
      return 'Your session expired. Reload the page to continue.'
    default:
      return message || `Something went wrong (${code ?? 'unknown error'}).`
  }
}

// ── Synced from your CRM ───────────────────────────────────────────────────────────────────
/**
 * @typedef {{ id: string, status: string, trigger: string, mode: string, added: number, updated: number, deleted: number,
 *   error: { code: string, message: string } | null, startedAt: string | null, finishedAt: string | null }} RunSummary
 * @typedef {{ id: string, firstName: string, lastName: string, email: string, stage: string, mappingVersion: number | null,
 *   changedAt: string, change: string, deleted: boolean }} LocalContact
 * @typedef {{ state: 'not_connected' }
 *   | { state: 'connected', connection: ConnectionSummary, contacts: { count: number, deleted: number, recent: LocalContact[] },
 *       companies: { count: number }, readAt: string | null,
 *       sync: { status: string, frequency: string, nextRunAt: string | null, lastRun: RunSummary | null } | null }} SyncedContacts
 */

/** How often the panel asks Acme's backend for its copy. */
const SYNCED_POLL_MS = 4000
const syncedPanel = /** @type {HTMLElement | null} */ (document.querySelector('[data-crm-synced]'))
const relativeTime = new Intl.RelativeTimeFormat('en', { numeric: 'auto' })
const number = new Intl.NumberFormat('en')

/** "just now", "3 minutes ago", "in 14 minutes", or a date. @param {string} iso */
function relative(iso) {
  const seconds = (Date.parse(iso) - Date.now()) / 1000
  const abs = Math.abs(seconds)
  if (abs < 45) return seconds <= 0 ? 'just now' : 'in a moment'
  if (abs < 3600) return relativeTime.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return relativeTime.format(Math.round(seconds / 3600), 'hour')
  return new Date(iso).toLocaleDateString()
}

/** A `<time>` showing a relative time, the exact one as its tooltip. @param {string} iso */
const when = (iso) => el('time', { datetime: iso, title: new Date(iso).toLocaleString() }, relative(iso))

/** @param {RunSummary} run */
const runChanges = (run) => `${number.format(run.added)} added, ${number.format(run.updated)} updated, ${number.format(run.deleted)} deleted`

/** @param {number} limit @returns {Promise<SyncedContacts>} */
async function fetchSynced(limit) {
  const res = await fetch(`/api/crm/synced?limit=${limit}`, { headers: { accept: 'application/json' } })
  if (!res.ok) throw await failure(res)
  return res.json()
}

/**
 * The one-line status read out by screen readers (the live region). It changes only when
 * something happened (a run started or finished), not on every poll: no relative times here.
 * @param {SyncedContacts} data
 */
function syncStatusText(data) {
  if (data.state === 'not_connected') return 'Not connected.'
  if (data.connection.status !== 'active') return 'Demo CRM needs you to reconnect: syncing has stopped. Acme keeps the contacts it already has.'
  if (!data.sync) return 'This connection has no contacts sync.'
  const paused = data.sync.status === 'paused' ? 'Syncing is paused. ' : ''
  const run = data.sync.lastRun
  if (!run) return `${paused}Waiting for the first sync…`
  if (run.status === 'queued' || run.status === 'running') return run.trigger === 'initial' ? 'First sync running: copying your contacts…' : 'Syncing your contacts…'
  const at = run.finishedAt ? ` at ${new Date(run.finishedAt).toLocaleTimeString()}` : ''
  if (run.status === 'succeeded') return `${paused}Last sync succeeded${at}: ${runChanges(run)}.`
  if (run.status === 'cancelled') return `${paused}Last sync was cancelled${at}.`
  return `${paused}Last sync failed${at}: ${run.error?.message ?? 'unknown error'}.`
}

/** @param {SyncedContacts & { state: 'connected' }} data */
function syncSummary(data) {
  const run = data.sync?.lastRun
  /** @param {string} label @param {...(Node | string | null)} value */
  const item = (label, ...value) => el('div', {}, el('dt', {}, label), el('dd', {}, ...value))
  return el(
    'dl',
    { class: 'sync-summary' },
    item('Contacts', el('span', { class: 'big-number' }, number.format(data.contacts.count))),
    item('Companies', el('span', { class: 'big-number' }, number.format(data.companies.count))),
    item('Last sync', run ? el('span', { class: `pill run-${run.status}` }, run.status) : el('span', { class: 'muted' }, 'none yet'), run?.finishedAt ? el('span', { class: 'muted small' }, ' ', when(run.finishedAt)) : null),
    run && run.status === 'succeeded' ? item('Changes', runChanges(run)) : null,
    data.sync?.nextRunAt && data.sync.status === 'enabled' ? item('Next sync', when(data.sync.nextRunAt), el('span', { class: 'muted small' }, ` · every ${data.sync.frequency}`)) : null,
  )
}

/** @param {LocalContact[]} contacts */
function recentTable(contacts) {
  const head = el('tr', {}, ...['Name', 'Email', 'Stage', 'Updated'].map((h) => el('th', { scope: 'col' }, h)))
  const rows = contacts.map((c) => {
    const name = `${c.firstName} ${c.lastName}`.trim() || c.id
    return el(
      'tr',
      { class: c.deleted ? 'is-deleted' : undefined },
      el('td', {}, el('span', { class: 'person-name' }, name), c.deleted ? el('span', { class: 'pill deleted' }, 'Deleted') : null),
      el('td', { class: 'email' }, c.email),
      el('td', {}, c.stage ? el('span', { class: `pill stage-${c.stage}` }, c.stage) : ''),
      el('td', { class: 'nowrap' }, when(c.changedAt)),
    )
  })
  return el('div', { class: 'table-wrap' }, el('table', { class: 'table' }, el('caption', { class: 'muted small' }, 'Most recently changed, deletions included'), el('thead', {}, head), el('tbody', {}, ...rows)))
}

/**
 * Whether the contacts arrive in Acme's own Contact shape (a field mapping is in effect) or still in
 * the CRM's, with the way to map them. @param {LocalContact[]} contacts
 */
function shapeNote(contacts) {
  const version = contacts.find((c) => !c.deleted)?.mappingVersion ?? null
  if (version !== null) return el('p', { class: 'shape-note', 'data-shape': 'acme' }, el('span', { class: 'pill run-succeeded' }, "Acme's shape"), ` Mapped to Acme's Contact (mapping v${version}): stages are Acme's own.`)
  return el('p', { class: 'shape-note', 'data-shape': 'provider' }, el('span', { class: 'pill' }, "CRM's shape"), ' Not mapped yet: open Integrations → Demo CRM → Map fields to match its fields to Acme’s.')
}

/** @param {SyncedContacts} data */
function syncedView(data) {
  if (data.state === 'not_connected') return el('div', { class: 'empty' }, el('div', { class: 'empty-icon', 'aria-hidden': 'true' }, '⟳'), el('h3', {}, 'Nothing synced yet'), el('p', {}, 'Connect Demo CRM above to copy its contacts into Acme CRM.'))
  const parts = [syncSummary(data)]
  if (data.contacts.recent.length) parts.push(shapeNote(data.contacts.recent), recentTable(data.contacts.recent))
  else parts.push(el('p', { class: 'muted' }, data.readAt ? 'No contacts in your Demo CRM account.' : 'Acme has not received any contacts yet.'))
  return el('div', {}, ...parts)
}

let syncedTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined)

/** Reloads the panel, then schedules the next reload (only while the page is visible). */
async function refreshSynced() {
  if (!syncedPanel) return
  clearTimeout(syncedTimer)
  const status = /** @type {HTMLElement} */ (syncedPanel.querySelector('[data-sync-status]'))
  const body = /** @type {HTMLElement} */ (syncedPanel.querySelector('[data-sync-body]'))
  const button = /** @type {HTMLButtonElement} */ (syncedPanel.querySelector('[data-sync-now]'))
  /** @param {string} text */
  const say = (text) => {
    // Only a change is written, so the live region announces news, not every poll.
    if (status.textContent !== text) status.textContent = text
  }
  try {
    const data = await fetchSynced(Number(syncedPanel.dataset.limit) || 8)
    say(syncStatusText(data))
    body.replaceChildren(syncedView(data))
    button.disabled = !(data.state === 'connected' && data.connection.status === 'active' && data.sync)
  } catch (err) {
    say(`Could not load the synced contacts: ${/** @type {Error} */ (err).message}`)
  } finally {
    if (!document.hidden) syncedTimer = setTimeout(() => void refreshSynced(), SYNCED_POLL_MS)
  }
}

/** "Sync now": asks Acme's backend to run the contacts sync (`patchbay.syncs.trigger`). */
async function syncNow() {
  if (!syncedPanel) return
  const button = /** @type {HTMLButtonElement} */ (syncedPanel.querySelector('[data-sync-now]'))
  const status = /** @type {HTMLElement} */ (syncedPanel.querySelector('[data-sync-status]'))
  if (button.getAttribute('aria-busy') === 'true') return
  button.setAttribute('aria-busy', 'true')
  try {
    const res = await fetch('/api/crm/sync', { method: 'POST', headers: { accept: 'application/json' } })
    if (!res.ok) throw await failure(res)
    status.textContent = 'Sync started…'
  } catch (err) {
    toast(`Could not start a sync: ${/** @type {Error} */ (err).message}`, 'error')
  } finally {
    button.removeAttribute('aria-busy')
  }
  void refreshSynced()
}

if (syncedPanel) {
  syncedPanel.querySelector('[data-sync-now]')?.addEventListener('click', () => void syncNow())
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refreshSynced()
  })
  void refreshSynced()
}

// ── The widget ─────────────────────────────────────────────────────────────────────────────
/**
 * Connects the page to the widget. Runs before the widget script (see the script order in
 * pages.tsx), so the element is not upgraded yet: the properties set here are picked up when it is.
 * The widget calls `getSessionToken` for its first token and again whenever Patchbay says the
 * session has expired, then retries what it was doing; Acme's backend mints each token.
 * @typedef {HTMLElement & { getSessionToken?: () => Promise<string> }} Marketplace
 * @param {Marketplace} widget
 */
function wireWidget(widget) {
  // Acme's own words over the widget's defaults (any message can be overridden, deep-partial).
  /** @type {any} */ (widget).messages = { catalog: { title: 'Connect your tools', subtitle: 'Bring your customers into Acme CRM from the tools your team already uses.' } }
  widget.getSessionToken = async () => {
    try {
      return await fetchSessionToken()
    } catch (err) {
      toast(`Could not start a Patchbay session: ${/** @type {Error} */ (err).message}`, 'error')
      throw err
    }
  }

  /** @param {Event} e */
  const detail = (e) => /** @type {CustomEvent} */ (e).detail ?? {}
  widget.addEventListener('connect', (e) => {
    toast(`${integrationName(detail(e).integration)} connected`, 'success')
    void refreshCrm()
    void refreshSynced()
  })
  widget.addEventListener('reconnect', (e) => {
    toast(`${integrationName(detail(e).integration)} reconnected`, 'success')
    void refreshCrm()
    void refreshSynced()
  })
  widget.addEventListener('disconnect', () => {
    toast('Disconnected', 'info')
    void refreshCrm()
    void refreshSynced()
  })
  widget.addEventListener('error', (e) => {
    const { message, code, integration } = detail(e)
    toast(errorText(code, integrationName(integration), message), 'error')
  })

  // The widget script is loaded with Subresource Integrity from Patchbay; say so if it never arrives.
  const timer = setTimeout(() => {
    widget.replaceWith(el('div', { class: 'notice error', role: 'alert' }, el('strong', {}, 'The integration marketplace did not load.'), el('p', {}, 'Check that Patchbay is running and that its widget is built (npm run build:embed).')))
  }, 15_000)
  void customElements.whenDefined('patchbay-marketplace').then(() => clearTimeout(timer))
}

const widget = /** @type {Marketplace | null} */ (document.querySelector('patchbay-marketplace'))
if (widget) wireWidget(widget)
document.querySelector('[data-crm-reload]')?.addEventListener('click', () => void refreshCrm())
void refreshCrm()
