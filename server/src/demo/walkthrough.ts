/**
 * `npm run demo:walkthrough`: the SDK tour a newcomer runs in a second terminal after `npm start`.
 * Connects the demo end user to the bundled Demo CRM with OAuth, reads the CRM's contacts through
 * Patchbay's proxy, waits for the initial sync and reads the synced contacts from the records
 * change feed, printing what happens at each step and why.
 *
 * Settings (all optional):
 * - `PATCHBAY_URL`: where Patchbay runs; default `http://localhost:3000`.
 * - `PATCHBAY_SECRET_KEY`: a secret API key; default the demo key `npm start` stored in
 *   `$PATCHBAY_DATA_DIR/demo.json` (`PATCHBAY_DATA_DIR` defaults to `./.patchbay`).
 *
 * Steps 2–4 play the widget and the end user's browser. They are written out here rather than
 * calling `connectViaOAuth` from `server/src/testing.ts` so that each step prints as it happens,
 * and so that this client-side script does not load the server, PGlite and oidc-provider.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Patchbay, PatchbayError, type Connection, type ProxyResult, type SyncedRecord, type SyncRun } from '../../../sdk/src/index'
import { authorizeViaHttp } from './provider/browserless'

const END_USER_ID = 'demo-user-1'
const INTEGRATION = 'demo-crm'
const LOGIN = { username: 'ada', password: 'lovelace' }
/** The Demo CRM connector's sync of contacts, and the model (connector object) it fills. */
const SYNC = 'contacts'
const MODEL = 'contact'
/** How long to wait for a sync run to finish (2,500 contacts take a few seconds). */
const SYNC_TIMEOUT_MS = 120_000

interface Contact {
  id: string
  first_name: string
  last_name: string
  email: string
}
interface ContactPage {
  data: Contact[]
  next_cursor: string | null
}

/** Thrown for a failure the user can fix; printed without a stack trace. */
class Stop extends Error {}

const baseUrl = (process.env.PATCHBAY_URL ?? 'http://localhost:3000').replace(/\/+$/, '')
const dataDir = process.env.PATCHBAY_DATA_DIR ?? './.patchbay'
const demoFile = resolve(join(dataDir, 'demo.json'))

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[22m` : s)
const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[22m` : s)
const step = (n: number, title: string, ...why: string[]) => console.log(`\n${bold(`${n}) ${title}`)}${why.map((w) => `\n   ${dim(w)}`).join('')}`)
const result = (line: string) => console.log(`   → ${line}`)
const short = (token: string) => `${token.slice(0, 12)}…`
/** Where the secret key came from, for error hints. */
let keySource = ''

function secretKey(): { key: string; source: string } {
  if (process.env.PATCHBAY_SECRET_KEY) return { key: process.env.PATCHBAY_SECRET_KEY, source: 'PATCHBAY_SECRET_KEY' }
  if (!existsSync(demoFile)) {
    throw new Stop(
      `No secret key: ${demoFile} does not exist.\n` +
        `Start Patchbay with its demo in another terminal (\`npm start\`; the demo is on unless PATCHBAY_DEMO=0),\n` +
        `run this script from the same directory (or set PATCHBAY_DATA_DIR), or set PATCHBAY_SECRET_KEY.`,
    )
  }
  const key = (JSON.parse(readFileSync(demoFile, 'utf8')) as { secretKey?: string }).secretKey
  if (!key) throw new Stop(`${demoFile} has no secretKey; restart \`npm start\` to recreate the demo, or set PATCHBAY_SECRET_KEY.`)
  return { key, source: demoFile }
}

async function checkServer(): Promise<void> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(5000) })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
  } catch (err) {
    throw new Stop(
      `Patchbay is not answering at ${baseUrl} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}).\n` +
        `Start it in another terminal with \`npm start\`, or point PATCHBAY_URL at it.`,
    )
  }
}

/** A widget-side call: plain fetch with the connect session token (the widget's API is not in the SDK). */
async function widgetFetch(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (init.token) headers.set('authorization', `Bearer ${init.token}`)
  return fetch(baseUrl + path, { ...init, headers })
}

async function main(): Promise<void> {
  await checkServer()
  const { key, source } = secretKey()
  keySource = source
  const patchbay = new Patchbay({ secretKey: key, baseUrl })
  console.log(`${bold('Patchbay SDK walkthrough')} against ${baseUrl}`)
  console.log(dim(`secret key ${short(key)} from ${source}`))

  // 1) Connect session ----------------------------------------------------------------------
  step(1, `Create a connect session for end user "${END_USER_ID}"`, 'Your backend does this with the secret key and hands the short-lived token to the browser,', 'so the widget can act for this one user and never sees your secret key.')
  const session = await patchbay.connectSessions.create({ endUser: { id: END_USER_ID, email: 'demo-user-1@example.com', displayName: 'Demo User' }, allowedIntegrations: [INTEGRATION] })
  result(`token ${short(session.token)}  expires ${session.expiresAt}`)
  const earlier = (await patchbay.connections.list({ endUserId: END_USER_ID, integration: INTEGRATION, limit: 1 })).data[0]
  if (earlier) result(`${END_USER_ID} already has ${earlier.id} from an earlier run: this run re-authorizes it (same id)`)

  // 2) Start the authorization, as the widget does ------------------------------------------
  step(2, 'Start the OAuth authorization, as the widget would', `POST /v1/embed/oauth/authorizations with the session token (the widget's API, so plain fetch).`, 'Patchbay creates the state and PKCE verifier and answers with a URL to open in a popup.')
  const started = await widgetFetch('/v1/embed/oauth/authorizations', {
    method: 'POST',
    token: session.token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ integration: INTEGRATION, ...(earlier ? { connectionId: earlier.id } : {}) }),
  })
  if (started.status !== 201) throw new Stop(`Starting the authorization failed: HTTP ${started.status} ${await started.text()}`)
  const { url: startUrl } = (await started.json()) as { url: string }
  result(`start URL ${startUrl.replace(/state=[^&]+/, 'state=…')}`)

  // 3) The browser: start URL, then login and consent at the provider -----------------------
  step(3, `Open the start URL, log in at the Demo CRM as ${LOGIN.username} / ${LOGIN.password} and press "Allow"`, "In a real app this happens in the widget's popup, where the end user types their own password.", 'Here the forms are filled over HTTP (authorizeViaHttp from server/src/demo/provider).')
  const start = new URL(startUrl)
  const redirect = await widgetFetch(start.pathname + start.search, { redirect: 'manual' })
  if (redirect.status !== 302) throw new Stop(`The start URL failed: HTTP ${redirect.status} ${await redirect.text()}`)
  // The start page binds this browser with a cookie: only the browser that started may finish.
  const cookie = (redirect.headers.get('set-cookie') ?? '').split(';')[0]!
  const authorizationUrl = redirect.headers.get('location')!
  result(`Patchbay set a browser-binding cookie and redirected to ${new URL(authorizationUrl).origin}${new URL(authorizationUrl).pathname}`)
  const callbackUrl = new URL(await authorizeViaHttp({ authorizationUrl, ...LOGIN, decision: 'allow' }))
  result(`logged in and consented; the provider redirects back to ${callbackUrl.pathname}?code=…&state=…`)

  // 4) The callback ------------------------------------------------------------------------------
  step(4, 'Finish the callback', 'Patchbay checks the state and the binding cookie, exchanges the code (with the PKCE verifier)', 'for tokens at the provider and stores them encrypted. The popup would then post the result to the widget.')
  const callback = await widgetFetch(callbackUrl.pathname + callbackUrl.search, { headers: { cookie, accept: 'application/json' } })
  const outcome = (await callback.json()) as { ok: boolean; connectionId?: string; reconnected?: boolean; code?: string; message?: string }
  if (!outcome.ok || !outcome.connectionId) throw new Stop(`The callback failed: ${outcome.code}: ${outcome.message}`)
  result(`connection ${outcome.connectionId} ${outcome.reconnected ? 're-authorized' : 'created'}`)

  // 5) Connections, with the SDK -------------------------------------------------------------
  step(5, `List ${END_USER_ID}'s connections with the SDK`, `patchbay.connections.list({ endUserId: '${END_USER_ID}' })`)
  const { data: connections } = await patchbay.connections.list({ endUserId: END_USER_ID })
  for (const c of connections) console.log(`   • ${describeConnection(c)}`)

  // 6) The proxy, with the SDK -----------------------------------------------------------------
  const id = outcome.connectionId
  step(6, 'List contacts through the proxy with the SDK', `patchbay.proxy.get(connectionId, '/contacts', { query: { limit: 5 } })`, "Patchbay adds the connection's access token (refreshing it when needed) and returns the CRM's answer unchanged.")
  const first = await patchbay.proxy.get<ContactPage>(id, '/contacts', { query: { limit: 5 } })
  if (!first.ok) throw new Stop(`The Demo CRM answered HTTP ${first.status}: ${JSON.stringify(first.data)}`)
  result(`HTTP ${first.status}, rate limit ${first.headers.get('x-ratelimit-remaining')}/${first.headers.get('x-ratelimit-limit')} left (the CRM's own headers)`)
  first.data.data.forEach((c, i) => console.log(`   ${i + 1}. ${c.first_name} ${c.last_name} <${c.email}>`))

  let pages = 0
  let contacts = 0
  let cursor: string | null = null
  do {
    const page: ProxyResult<ContactPage> = await patchbay.proxy.get<ContactPage>(id, '/contacts', { query: { limit: 100, cursor } })
    if (!page.ok) throw new Stop(`The Demo CRM answered HTTP ${page.status} on page ${pages + 1}: ${JSON.stringify(page.data)}`)
    pages++
    contacts += page.data.data.length
    cursor = page.data.next_cursor
  } while (cursor)
  result(`following next_cursor to the end (limit=100, the CRM's maximum): ${contacts} contacts in ${pages} pages`)

  // 7) The initial sync ------------------------------------------------------------------------
  step(
    7,
    `Wait for the "${SYNC}" sync's run to finish`,
    'When a connection is made, Patchbay runs its syncs once (here contacts and companies), then on a schedule,',
    'and stores the records; each finished run also sends a sync.succeeded (or sync.failed) webhook.',
  )
  let run: SyncRun
  if (outcome.reconnected) {
    // The initial run happened when the connection was first made: run the sync again now.
    console.log(dim(`   ${id} ran its initial sync on an earlier run of this script: starting one now.`))
    console.log(dim(`   patchbay.syncs.trigger('${id}', '${SYNC}')`))
    run = await patchbay.syncs.trigger(id, SYNC)
  } else {
    console.log(dim(`   patchbay.syncRuns.list({ connectionId: '${id}', sync: '${SYNC}', limit: 1 }), every half second`))
    run = await waitFor(async () => (await patchbay.syncRuns.list({ connectionId: id, sync: SYNC, limit: 1 })).data[0], 'the initial sync run to start')
  }
  if (!isFinished(run)) {
    result(`run ${run.id} (${run.trigger}, ${run.mode}) is ${run.status}; waiting with patchbay.syncRuns.get('${run.id}')`)
    const id = run.id
    run = await waitFor(async () => {
      const current = await patchbay.syncRuns.get(id)
      return isFinished(current) && current
    }, `run ${id} to finish`)
  }
  if (run.status !== 'succeeded') {
    throw new Stop(`The sync run ${run.id} ${run.status}${run.error ? `: ${run.error.code}: ${run.error.message}` : ''}. Details: patchbay.syncRuns.get('${run.id}')`)
  }
  const took = run.startedAt && run.finishedAt ? ` in ${((Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1)} s` : ''
  result(`run ${run.id} (${run.trigger}, ${run.mode}) ${run.status}${took}: ${run.added} added, ${run.updated} updated, ${run.deleted} deleted, ${run.pages} page${run.pages === 1 ? '' : 's'} read from the CRM`)

  // 8) The records change feed -----------------------------------------------------------------
  step(
    8,
    'Read the synced contacts from the change feed',
    `patchbay.records.list({ connectionId, model: '${MODEL}', limit: 5 })`,
    'Records come in the order they changed; keep nextCursor and pass it next time to get only what changed since',
    '(or use records.pages() / records.iterate() to read to the end). Deleted records come once more, with deletedAt.',
  )
  const feed = await patchbay.records.list({ connectionId: id, model: MODEL, limit: 5 })
  feed.data.forEach((r, i) => console.log(`   ${i + 1}. ${describeRecord(r)}`))
  result(`hasMore: ${feed.hasMore}, nextCursor: ${feed.nextCursor}`)
  if (run.trigger !== 'initial') {
    console.log(dim(`   Only this run's changes, from its changesCursor: patchbay.records.list({ connectionId, model: '${MODEL}', cursor: '${run.changesCursor}', limit: 8 })`))
    const changes = await patchbay.records.list({ connectionId: id, model: MODEL, cursor: run.changesCursor, limit: 8 })
    changes.data.forEach((r, i) => console.log(`   ${i + 1}. ${describeRecord(r)}`))
    if (!changes.data.length) result('nothing changed since the previous run')
  }
  console.log(dim('   Acme CRM (the demo app) does exactly this on each sync.succeeded webhook, from the cursor it stored: see its Integrations page.'))

  // 9) Syncs and runs --------------------------------------------------------------------------
  step(9, 'Look at the syncs and their runs', `patchbay.syncs.list('${id}') and patchbay.syncRuns.list({ connectionId, limit: 5 })`)
  const { data: syncs } = await patchbay.syncs.list(id)
  for (const s of syncs) {
    console.log(`   • ${s.name.padEnd(9)} ${s.status}, every ${s.frequency}, next run ${s.nextRunAt ?? '—'}, last run ${s.lastRun ? `${s.lastRun.status} ${s.lastRun.finishedAt ?? ''}` : '—'}`)
  }
  const { data: runs } = await patchbay.syncRuns.list({ connectionId: id, limit: 5 })
  for (const r of runs) {
    console.log(`   ${r.createdAt}  ${r.sync.padEnd(9)} ${r.trigger.padEnd(8)} ${r.mode.padEnd(11)} ${r.status.padEnd(9)} +${r.added} ~${r.updated} -${r.deleted}${r.error ? `  ${r.error.code}` : ''}`)
  }
  console.log(dim(`   Run one now: patchbay.syncs.trigger('${id}', '${SYNC}')   Change how often: patchbay.syncs.setFrequency('${id}', '${SYNC}', '5m')`))
  console.log(dim('   The Demo CRM changes a few contacts every 20 s: run the sync again and read the feed from nextCursor to see them.'))

  // 10) Clean up -------------------------------------------------------------------------------
  step(10, 'Clean up (when you are done)')
  console.log(`   • Disconnect (revokes the tokens at the CRM):   await patchbay.connections.delete('${id}')`)
  console.log(`       or: curl -X DELETE -H "Authorization: Bearer $PATCHBAY_SECRET_KEY" ${baseUrl}/v1/connections/${id}`)
  console.log(`   • Remove the end user with all their connections: await patchbay.endUsers.delete('${END_USER_ID}')`)
  console.log(`       or: curl -X DELETE -H "Authorization: Bearer $PATCHBAY_SECRET_KEY" ${baseUrl}/v1/end-users/${END_USER_ID}`)
  console.log(`   • Everything: stop \`npm start\` (Ctrl+C) and delete its data directory (${resolve(dataDir)})`)
  console.log(dim(`   The secret key is "secretKey" in ${demoFile}. API reference: ${baseUrl}/docs`))
  console.log('')
}

const isFinished = (r: SyncRun) => r.status === 'succeeded' || r.status === 'failed' || r.status === 'cancelled'

/** Polls `fn` every half second until it returns something. @throws {Stop} after {@link SYNC_TIMEOUT_MS}. */
async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string): Promise<T> {
  const end = Date.now() + SYNC_TIMEOUT_MS
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > end) throw new Stop(`Gave up waiting for ${what} after ${SYNC_TIMEOUT_MS / 1000} s. Is Patchbay running its workers (PATCHBAY_WORKERS is not 0)?`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

function describeRecord(r: SyncedRecord): string {
  const d = r.data as Partial<Contact> & { lifecycle_stage?: string }
  return `${r.action.padEnd(7)} ${r.id}  ${d.first_name ?? ''} ${d.last_name ?? ''} <${d.email ?? ''}>  ${d.lifecycle_stage ?? ''}${r.deletedAt ? `  (deleted ${r.deletedAt})` : ''}`
}

function describeConnection(c: Connection): string {
  return `${c.id}  ${c.integration}  ${c.status}  ${c.accountLabel ?? '(no account label)'}  scopes: ${c.scopes.join(' ')}`
}

try {
  await main()
} catch (err) {
  if (err instanceof Stop) {
    console.error(`\n✗ ${err.message}`)
  } else if (err instanceof PatchbayError) {
    const hint: Record<string, string> = {
      network_error: `Is Patchbay still running at ${baseUrl}?`,
      unauthenticated:
        keySource === 'PATCHBAY_SECRET_KEY'
          ? `PATCHBAY_SECRET_KEY is not a key of the server at ${baseUrl}: use the one \`npm start\` printed.`
          : `The key in ${demoFile} is not one of the server at ${baseUrl}: does it use another data directory (PATCHBAY_DATA_DIR)? Or set PATCHBAY_SECRET_KEY to the key \`npm start\` printed.`,
      not_found: `The "${INTEGRATION}" integration may be missing: start Patchbay with its demo (PATCHBAY_DEMO is not 0).`,
      invalid_request: `The "${INTEGRATION}" integration may be missing: start Patchbay with its demo (PATCHBAY_DEMO is not 0).`,
    }
    console.error(`\n✗ Patchbay said ${err.code} (HTTP ${err.status}): ${err.detail}${err.requestId ? ` [request ${err.requestId}]` : ''}`)
    if (hint[err.code]) console.error(`  ${hint[err.code]}`)
  } else {
    console.error('\n✗ The walkthrough failed:', err)
  }
  process.exitCode = 1
}
