/** @jsxImportSource hono/jsx */
/**
 * Acme CRM's pages, rendered on the server with hono/jsx (escaped by construction). The dynamic
 * parts — the widget's session token, its events, the contacts read through the proxy — are
 * done by `public/app.js` in the browser, against this app's own backend.
 */
import type { Child } from 'hono/jsx'
import { DEMO_USER } from './backend'

export type PageId = 'dashboard' | 'contacts' | 'integrations'

/** The built widget as the Patchbay server's `/embed/manifest.json` describes it. */
export interface WidgetScript {
  url: string
  integrity: string
}

interface ShellProps {
  page: PageId
  title: string
  patchbayUrl: string
  head?: Child
  children?: Child
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .map((w) => w[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase()

const icons: Record<PageId, Child> = {
  dashboard: <path d="M3 12l9-8 9 8M5 10v10h5v-6h4v6h5V10" />,
  contacts: <path d="M16 19v-1a4 4 0 00-4-4H7a4 4 0 00-4 4v1M9.5 10a3.5 3.5 0 100-7 3.5 3.5 0 000 7zM21 19v-1a4 4 0 00-3-3.87M15.5 3.13a3.5 3.5 0 010 6.74" />,
  integrations: <path d="M9 7V3M15 7V3M6 7h12v4a6 6 0 01-12 0V7zM12 17v4" />,
}

const NAV: { id: PageId; label: string; href: string }[] = [
  { id: 'dashboard', label: 'Dashboard', href: '/' },
  { id: 'contacts', label: 'Contacts', href: '/contacts' },
  { id: 'integrations', label: 'Integrations', href: '/integrations' },
]

function Icon({ children }: { children: Child }) {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
      {children}
    </svg>
  )
}

function Shell({ page, title, patchbayUrl, head, children }: ShellProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${title} · Acme CRM`}</title>
        <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='8' fill='%236d28d9'/%3E%3Cpath d='M10 23l6-14 6 14M12.5 18h7' stroke='white' stroke-width='3' fill='none' stroke-linecap='round' stroke-linejoin='round'/%3E%3C/svg%3E" />
        <link rel="stylesheet" href="/assets/app.css" />
        {/* Ours first: deferred scripts run in order, so the page hands the widget its
            getSessionToken callback before the widget script upgrades the element. */}
        <script src="/assets/app.js" defer></script>
        {head}
      </head>
      <body data-page={page}>
        <div class="demo-banner" role="note">
          <strong>Demo app.</strong> You are signed in as {DEMO_USER.displayName} — a fixed demo session, there is no login. Acme CRM's backend talks to Patchbay at{' '}
          <a href={`${patchbayUrl}/docs`}>{patchbayUrl}</a> with the SDK and its secret key; the browser only ever sees short-lived connect session tokens.
        </div>
        <div class="app">
          <aside class="sidebar">
            <a class="brand" href="/">
              <span class="brand-mark" aria-hidden="true">A</span>
              <span>Acme CRM</span>
            </a>
            <nav aria-label="Main">
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} class={n.id === page ? 'active' : undefined} aria-current={n.id === page ? 'page' : undefined}>
                      <Icon>{icons[n.id]}</Icon>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="sidebar-foot">
              <span class="workspace">Acme Inc.</span>
              <span class="plan">Growth plan</span>
            </div>
          </aside>
          <div class="main">
            <header class="topbar">
              <h1>{title}</h1>
              <div class="user" aria-label={`Signed in as ${DEMO_USER.displayName}`}>
                <span class="avatar" aria-hidden="true">
                  {initials(DEMO_USER.displayName)}
                </span>
                <span class="who">
                  <span class="name">{DEMO_USER.displayName}</span>
                  <span class="email">{DEMO_USER.email}</span>
                </span>
              </div>
            </header>
            <main class="content">{children}</main>
          </div>
        </div>
        <div class="toasts" aria-live="polite"></div>
      </body>
    </html>
  )
}

type Common = Omit<ShellProps, 'page' | 'title' | 'children' | 'head'>

export function DashboardPage(props: Common) {
  return (
    <Shell {...props} page="dashboard" title="Dashboard">
      <section class="hero">
        <div>
          <h2>Welcome back, {DEMO_USER.displayName.split(' ')[0]}</h2>
          <p>Bring your customers in from the tools you already use. Connect Demo CRM and its contacts show up in Acme CRM within seconds.</p>
        </div>
        <a class="button primary" href="/integrations">
          Browse integrations
        </a>
      </section>
      <div class="grid-2">
        <section class="card" aria-labelledby="status-title">
          <h3 id="status-title">Demo CRM</h3>
          <div data-crm-status>
            <p class="muted">Checking the connection…</p>
          </div>
        </section>
        <section class="card" aria-labelledby="how-title">
          <h3 id="how-title">How this demo works</h3>
          <ol class="steps">
            <li>
              <strong>Integrations</strong> embeds Patchbay's marketplace widget, a custom element loaded from Patchbay with Subresource Integrity.
            </li>
            <li>
              The page asks Acme's backend for a <em>connect session</em>; the backend creates it with <code>patchbay.connectSessions.create()</code>, limited to this page's origin.
            </li>
            <li>You connect Demo CRM in the widget (OAuth in a popup, or an API key). Patchbay keeps the credentials; Acme never sees them.</li>
            <li>
              <strong>Contacts</strong> reads your Demo CRM contacts through Patchbay's proxy with <code>patchbay.proxy.get()</code>.
            </li>
            <li>
              Patchbay also <strong>syncs</strong> your contacts. On each <code>sync.succeeded</code> webhook Acme reads the change feed with <code>patchbay.records.list()</code> and updates its own copy, shown under the widget in Integrations.
            </li>
          </ol>
        </section>
      </div>
    </Shell>
  )
}

export function ContactsPage(props: Common) {
  return (
    <Shell {...props} page="contacts" title="Contacts">
      <section class="card" aria-labelledby="contacts-title">
        <div class="card-head">
          <div>
            <h2 id="contacts-title">Synced from Demo CRM</h2>
            <p class="muted">The first contacts of your Demo CRM account, read through Patchbay's proxy when this page loads.</p>
          </div>
          <button type="button" class="button" data-crm-reload>
            Refresh
          </button>
        </div>
        <div data-crm-contacts data-limit="10">
          <p class="muted">Loading contacts…</p>
        </div>
      </section>
    </Shell>
  )
}

export function IntegrationsPage(props: Common & { widget: WidgetScript | { error: string } }) {
  const { widget, ...rest } = props
  const head = 'url' in widget ? <script src={widget.url} integrity={widget.integrity} crossorigin="anonymous" defer></script> : undefined
  return (
    <Shell {...rest} page="integrations" title="Integrations" head={head}>
      <div class="integrations-layout">
        <div class="stack">
          <section class="widget-card" aria-label="Integration marketplace">
            {'url' in widget ? (
              <patchbay-marketplace base-url={props.patchbayUrl} theme="light">
                <p class="muted widget-fallback">Loading integrations…</p>
              </patchbay-marketplace>
            ) : (
              <div class="notice warning" role="alert">
                <strong>The integration marketplace is not available.</strong>
                <p>{widget.error}</p>
              </div>
            )}
          </section>
          <SyncedSection />
        </div>
        <aside class="card" aria-labelledby="synced-title">
          <div class="card-head">
            <div>
              <h2 id="synced-title">Synced from Demo CRM</h2>
              <p class="muted small">Read live through Patchbay's proxy.</p>
            </div>
          </div>
          <div data-crm-contacts data-limit="5" data-compact>
            <p class="muted">Loading contacts…</p>
          </div>
        </aside>
      </div>
    </Shell>
  )
}

/**
 * "Synced from your CRM": Acme's own copy of the contacts, kept by its backend from Patchbay's sync
 * webhooks and change feed. Filled and refreshed every few seconds by `public/app.js`
 * (`GET /api/crm/synced`); "Sync now" posts to `/api/crm/sync`.
 */
function SyncedSection() {
  return (
    <section class="card" aria-labelledby="sync-title" data-crm-synced data-limit="8">
      <div class="card-head">
        <div>
          <h2 id="sync-title">Synced from your CRM</h2>
          <p class="muted">
            Acme's own copy of your contacts. Patchbay syncs them every 15 minutes and tells Acme with a webhook; Acme then reads what changed with <code>patchbay.records.list()</code>.
          </p>
        </div>
        <button type="button" class="button" data-sync-now disabled>
          Sync now
        </button>
      </div>
      <p class="sync-status" role="status" aria-live="polite" data-sync-status>
        Loading the synced contacts…
      </p>
      <div data-sync-body></div>
    </section>
  )
}

export function NotFoundPage(props: Common) {
  return (
    <Shell {...props} page="dashboard" title="Not found">
      <section class="card">
        <p>This page does not exist.</p>
        <a class="button" href="/">
          Back to the dashboard
        </a>
      </section>
    </Shell>
  )
}
