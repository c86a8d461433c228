/**
 * Syncs of connections: created with the connection, scheduled, triggered, paused and resumed;
 * their runs listed. The work itself is services/sync-engine.ts. See docs/decisions/0010-syncs.md.
 */
import type { Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import type { Db } from '../db/client'
import { findConnection } from '../db/queries/connections'
import { findMapping } from '../db/queries/mappings'
import { readPaths } from '../mapping/apply'
import type { Mapping } from '../mapping/schema'
import { latestSeq } from '../db/queries/records'
import * as q from '../db/queries/syncs'
import type { IntegrationSyncSettings, SyncCheckpoint, SyncRunStatus, SyncRunTrigger } from '../db/schema/index'
import { inTransaction } from '../db/client'
import { notFound, PatchbayError } from '../lib/errors'
import { newId } from '../lib/ids'
import { connectionOut } from './connection-view'
import type { LoadedConnection } from './credential-store'
import { connectionBaseUrl } from './provider-client'
import { encodeFeedCursor } from './records'
import { checkpointOf, firstPageRequest, runParams, SYNC_QUEUE, syncPlan, type SyncJob } from './sync-engine'
import { enqueueDeliveries, recordEvent } from './webhook-outbox'
import { pageOf } from '../lib/pages'

export type SyncRow = q.SyncRow
export type SyncRunRow = q.SyncRunRow

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
/** Shortest schedule (the sweep runs every minute) and longest, ms. */
export const MIN_FREQUENCY_MS = 60_000
export const MAX_FREQUENCY_MS = 30 * 86_400_000

/**
 * Parses a frequency such as `15m`, `1h`, `1d` (units s, m, h, d).
 * @returns milliseconds. @throws {PatchbayError} `invalid_request` when malformed or outside 1 min … 30 d.
 */
export function parseFrequency(value: string, path = 'frequency'): number {
  const m = /^(\d{1,6})(s|m|h|d)$/.exec(value)
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN
  if (!(ms >= MIN_FREQUENCY_MS && ms <= MAX_FREQUENCY_MS)) {
    throw new PatchbayError('invalid_request', `Invalid frequency ${JSON.stringify(value)}`, { errors: [{ path, message: 'a number and a unit (s, m, h, d) between 1m and 30d, e.g. 15m, 1h, 1d' }] })
  }
  return ms
}

/** The frequency in effect: the connection's own, else the integration's default, else the connector's. */
export function effectiveFrequency(sync: Pick<SyncRow, 'name' | 'frequency'>, settings: IntegrationSyncSettings, connector: Connector): string {
  return sync.frequency ?? settings.syncs?.[sync.name]?.frequency ?? connector.syncs[sync.name]?.defaultFrequency ?? '1h'
}

/**
 * The full-resync frequency in effect for an incremental sync: the integration's
 * `syncSettings.syncs[name].fullResyncFrequency`, else the connector's `fullResyncFrequency`;
 * null for a full sync or when neither sets one (only initial and manual full runs then).
 */
export function effectiveFullResyncFrequency(name: string, settings: IntegrationSyncSettings, connector: Connector): string | null {
  const def = Object.hasOwn(connector.syncs, name) ? connector.syncs[name] : undefined
  if (!def || def.mode !== 'incremental') return null
  return settings.syncs?.[name]?.fullResyncFrequency ?? def.fullResyncFrequency ?? null
}

/**
 * When the scheduler next makes an incremental sync's run a full resync: its last successful full
 * run plus the full-resync frequency in effect (the first scheduled run at or after it is full).
 * @returns null when no full resyncs are scheduled, or the sync has never completed a full run
 *   (its next run is full anyway, having no cursor, or is due for one now).
 */
export function nextFullResyncAt(sync: Pick<SyncRow, 'name' | 'lastFullSyncAt'>, settings: IntegrationSyncSettings, connector: Connector): Date | null {
  const every = effectiveFullResyncFrequency(sync.name, settings, connector)
  if (every === null || sync.lastFullSyncAt === null) return null
  return new Date(sync.lastFullSyncAt.getTime() + parseFrequency(every, 'fullResyncFrequency'))
}

/**
 * Whether a scheduled run of this sync must be a full resync: an incremental sync with a
 * full-resync frequency in effect whose last successful full run is older than it (or that has
 * none). @throws {PatchbayError} `invalid_request` when the frequency in effect is malformed.
 */
export function fullResyncDue(sync: Pick<SyncRow, 'name' | 'lastFullSyncAt'>, settings: IntegrationSyncSettings, connector: Connector, now = new Date()): boolean {
  if (effectiveFullResyncFrequency(sync.name, settings, connector) === null) return false
  const at = nextFullResyncAt(sync, settings, connector)
  return at === null || at.getTime() <= now.getTime()
}

const after = (ms: number) => new Date(Date.now() + ms)

/**
 * Creates a connection's syncs (one per connector sync) inside the caller's transaction; syncs
 * the integration disables start paused. Existing syncs are left alone.
 */
export async function createSyncs(tx: Db, input: { environmentId: string; connectionId: string; connector: Connector; settings: IntegrationSyncSettings }): Promise<void> {
  const rows = Object.keys(input.connector.syncs).map((name) => {
    const enabled = input.settings.syncs?.[name]?.enabled !== false
    const frequencyMs = parseFrequency(effectiveFrequency({ name, frequency: null }, input.settings, input.connector))
    return { id: newId('sync'), environmentId: input.environmentId, connectionId: input.connectionId, name, status: enabled ? ('enabled' as const) : ('paused' as const), nextRunAt: enabled ? after(frequencyMs) : null }
  })
  await q.insertSyncs(tx, rows)
}

/**
 * Queues a `syncs.run` job for a run's next slice, keyed by the connection (one at a time).
 * Never throws: a lost job is found again by the sweep (stale runs).
 */
export async function enqueueRun(ctx: AppContext, run: Pick<SyncRunRow, 'id' | 'connectionId'>, slice: number, inMs = 0): Promise<void> {
  try {
    await ctx.jobs.send<SyncJob>(SYNC_QUEUE, { runId: run.id, slice }, { singletonKey: run.connectionId, ...(inMs > 0 ? { startAfter: inMs / 1000 } : {}) })
  } catch (err) {
    ctx.log.warn({ runId: run.id, err: (err as Error).message }, 'sync job not queued; the sweep will pick it up')
  }
}

/**
 * An object's list parameters for a connection, from the connector's `listParams` hook and the
 * provider paths the mapping in effect reads; `null` when the connector has no such hook.
 */
export async function listParamsFor(ctx: AppContext, loaded: LoadedConnection, object: string, params?: Record<string, string>): Promise<Record<string, string> | null> {
  const { connector, row: integration } = loaded.integration
  const hook = connector.hooks.listParams
  const o = Object.hasOwn(connector.objects, object) ? connector.objects[object] : undefined
  if (!hook || !o) return null
  const mapping = (await findMapping(ctx.db, integration.id, loaded.connection.id, object)) ?? (await findMapping(ctx.db, integration.id, null, object))
  // `params`: a run's own parameters (an incremental run's templated query, sync-engine `runParams`); else the object's.
  return hook({ object, params: params ?? o.params, mappedPaths: mapping ? readPaths(mapping.fields as Mapping['fields']) : [], connectionConfig: loaded.connection.connectionConfig })
}

/**
 * Creates a queued run of a sync (or returns its unfinished one) and queues it.
 * A run is `full` for a full sync, for an incremental sync that has no cursor yet, and when `fullResync`.
 */
export async function startRun(ctx: AppContext, loaded: LoadedConnection, sync: SyncRow, trigger: SyncRunTrigger, opts: { fullResync?: boolean } = {}): Promise<{ run: SyncRunRow; created: boolean }> {
  const plan = syncPlan(loaded.integration.connector, sync.name)
  const mode = opts.fullResync || plan.mode === 'full' || sync.cursor === null ? 'full' : 'incremental'
  // GET, or a POST with a JSON body (`body` and `graphql` lists); listParams go in the query either way.
  // A stored cursor that does not parse as a templated `updatedSince`'s format is never put into the
  // query: the run is created failed (below), and a full resync starts over without the cursor.
  let checkpoint: SyncCheckpoint
  let refused: PatchbayError | undefined
  try {
    const request = firstPageRequest(connectionBaseUrl(loaded), plan, sync.cursor, mode)
    for (const [k, v] of Object.entries((await listParamsFor(ctx, loaded, plan.model, runParams(plan, sync.cursor, mode))) ?? {})) request.url.searchParams.set(k, v)
    checkpoint = { phase: 'fetch', ...checkpointOf(loaded, request), cursorMax: null }
  } catch (err) {
    if (!(err instanceof PatchbayError) || err.code !== 'upstream_invalid_response') throw err
    refused = err
    checkpoint = { phase: 'done', nextUrl: null, cursorMax: null }
  }
  const result = await q.insertRunOrGetActive(ctx.db, {
    id: newId('run'),
    environmentId: sync.environmentId,
    syncId: sync.id,
    connectionId: sync.connectionId,
    syncName: sync.name,
    model: plan.model,
    trigger,
    mode,
    checkpoint,
    cursorBefore: sync.cursor,
    feedSeqBefore: await latestSeq(ctx.db, sync.connectionId, plan.model),
  })
  if (result.created && refused) return { run: await failRunAtStart(ctx, sync, result.run, refused), created: true }
  if (result.created) {
    await q.updateSync(ctx.db, sync.id, { lastRunId: result.run.id })
    await enqueueRun(ctx, result.run, 0)
  }
  return result
}

/**
 * Finishes a just-created run as failed before it fetched anything (its cursor cannot be put into
 * the provider's query), records `sync.failed` in the same transaction and queues the deliveries.
 * @returns the failed run (the created one if another writer finished it first).
 */
async function failRunAtStart(ctx: AppContext, sync: SyncRow, run: SyncRunRow, err: PatchbayError): Promise<SyncRunRow> {
  ctx.log.warn({ runId: run.id, connectionId: run.connectionId, sync: run.syncName, code: err.code, err: err.message }, 'sync run refused at start')
  const { failed, deliveries } = await inTransaction(ctx.db, async (tx) => {
    const failed = await q.finishRun(tx, run.id, null, { status: 'failed', errorCode: err.code, errorMessage: err.message, attempts: 1 })
    await q.updateSync(tx, sync.id, { lastRunId: run.id })
    if (!failed) return { failed: run, deliveries: [] }
    return { failed, deliveries: await recordEvent(tx, { environmentId: run.environmentId, type: 'sync.failed', payload: await syncEventPayload(tx, failed) }) }
  })
  await enqueueDeliveries(ctx, deliveries)
  return failed
}

/** Starts the first run of every enabled sync of a new connection (the initial sync), unless the integration turned it off. */
export async function startInitialSyncs(ctx: AppContext, environmentId: string, connectionId: string): Promise<void> {
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  if (loaded.integration.row.syncSettings.autoStart === false) return
  for (const sync of await q.listSyncsOfConnection(ctx.db, connectionId)) {
    if (sync.status === 'enabled' && !sync.lastRunId) await startRun(ctx, loaded, sync, 'initial')
  }
}

async function loadSync(ctx: AppContext, environmentId: string, connectionId: string, name: string): Promise<{ loaded: LoadedConnection; sync: SyncRow }> {
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  const sync = await q.findSync(ctx.db, connectionId, name)
  if (!sync) throw notFound('Sync', name)
  return { loaded, sync }
}

/**
 * Runs a sync now (the vendor's "sync now"). Returns the unfinished run instead when there is one.
 * @throws {PatchbayError} `not_found`; `connection_not_active`/`reauth_required` when the connection cannot sync.
 */
export async function triggerSync(ctx: AppContext, environmentId: string, connectionId: string, name: string, opts: { fullResync?: boolean; restart?: boolean } = {}): Promise<{ run: SyncRunRow; created: boolean }> {
  const { loaded, sync } = await loadSync(ctx, environmentId, connectionId, name)
  const status = loaded.connection.status
  if (status === 'needs_reauth') throw new PatchbayError('reauth_required', 'The connection needs to be authorized again by its end user')
  if (status !== 'active') throw new PatchbayError('connection_not_active', `The connection is ${status}`)
  // `restart`: an unfinished run was planned with other request parameters; cancel it (its slice stops at its next write) and start afresh.
  if (opts.restart) await q.cancelActiveRuns(ctx.db, sync.id, 'Cancelled: replaced by a run that fetches the fields the new mapping reads')
  return startRun(ctx, loaded, sync, 'manual', opts)
}

/** Pauses a sync: no scheduled runs, and its unfinished run is cancelled (a running slice stops at its next write). */
export async function pauseSync(ctx: AppContext, environmentId: string, connectionId: string, name: string): Promise<SyncRow> {
  const { sync } = await loadSync(ctx, environmentId, connectionId, name)
  await q.cancelActiveRuns(ctx.db, sync.id)
  return (await q.updateSync(ctx.db, sync.id, { status: 'paused', nextRunAt: null }))!
}

/** Resumes a paused sync: the next scheduled run starts within a minute. */
export async function resumeSync(ctx: AppContext, environmentId: string, connectionId: string, name: string): Promise<SyncRow> {
  const { sync } = await loadSync(ctx, environmentId, connectionId, name)
  return (await q.updateSync(ctx.db, sync.id, { status: 'enabled', nextRunAt: new Date() }))!
}

/**
 * Changes a sync's frequency (null: back to the default). An end user (`bounds` given) may only
 * choose within the integration's `endUserFrequency` bounds.
 * @throws {PatchbayError} `invalid_request` (malformed, out of range); `forbidden` when end users may not change it or it is out of their bounds.
 */
export async function setSyncFrequency(ctx: AppContext, environmentId: string, connectionId: string, name: string, frequency: string | null, asEndUser = false): Promise<SyncRow> {
  const { loaded, sync } = await loadSync(ctx, environmentId, connectionId, name)
  const settings = loaded.integration.row.syncSettings
  const ms = parseFrequency(frequency ?? effectiveFrequency({ name, frequency: null }, settings, loaded.integration.connector))
  if (asEndUser) {
    const bounds = settings.endUserFrequency
    if (!bounds) throw new PatchbayError('forbidden', 'This integration does not let end users change how often it syncs')
    if (ms < parseFrequency(bounds.min) || ms > parseFrequency(bounds.max)) throw new PatchbayError('forbidden', `Choose a frequency between ${bounds.min} and ${bounds.max}`)
  }
  return (await q.updateSync(ctx.db, sync.id, { frequency, ...(sync.status === 'enabled' ? { nextRunAt: after(ms) } : {}) }))!
}

/** A connection's syncs. @throws {PatchbayError} `not_found` when the connection is not in the environment. */
export async function listSyncs(ctx: AppContext, environmentId: string, connectionId: string): Promise<{ loaded: LoadedConnection; syncs: SyncRow[] }> {
  const loaded = await ctx.credentials.get(environmentId, connectionId)
  return { loaded, syncs: await q.listSyncsOfConnection(ctx.db, connectionId) }
}

/** One run of the environment. @throws {PatchbayError} `not_found`. */
export async function getRun(ctx: AppContext, environmentId: string, id: string): Promise<SyncRunRow> {
  const run = await q.findRunInEnvironment(ctx.db, environmentId, id)
  if (!run) throw notFound('Sync run', id)
  return run
}

/** Runs, newest first, with an opaque cursor for the next page. */
export async function listRuns(ctx: AppContext, environmentId: string, input: { connectionId?: string | undefined; sync?: string | undefined; status?: SyncRunStatus | undefined; cursor?: string | undefined; limit?: number | undefined }): Promise<{ data: SyncRunRow[]; nextCursor: string | null }> {
  const limit = input.limit ?? 50
  let before: { createdAt: Date; id: string } | undefined
  if (input.cursor) {
    const [t, id] = Buffer.from(input.cursor, 'base64url').toString('utf8').split('|')
    if (!t || !id || Number.isNaN(Date.parse(t))) throw new PatchbayError('invalid_request', 'The cursor is not valid', { errors: [{ path: 'cursor', message: 'use nextCursor from the previous page' }] })
    before = { createdAt: new Date(t), id }
  }
  const rows = await q.listRuns(ctx.db, { environmentId, connectionId: input.connectionId, syncName: input.sync, status: input.status, before, limit: limit + 1 })
  return pageOf(rows, limit, (last) => Buffer.from(`${last.createdAt.toISOString()}|${last.id}`).toString('base64url'))
}

/**
 * The payload of `sync.succeeded`/`sync.failed`: the run's counts and where to read its changes
 * (`changes.cursor` for `GET /v1/records`).
 */
export async function syncEventPayload(tx: Db, run: SyncRunRow): Promise<Record<string, unknown>> {
  const connection = await findConnection(tx, run.environmentId, run.connectionId)
  return {
    connection: connection ? connectionOut(connection) : { id: run.connectionId },
    run: runOut(run),
    changes: { model: run.model, cursor: encodeFeedCursor(run.feedSeqBefore ?? 0), added: run.added, updated: run.updated, deleted: run.deleted },
  }
}

/** The public view of a run (dates as ISO 8601). */
export function runOut(r: SyncRunRow) {
  return {
    id: r.id,
    connectionId: r.connectionId,
    sync: r.syncName,
    model: r.model,
    status: r.status,
    trigger: r.trigger,
    mode: r.mode,
    attempts: r.attempts,
    pages: r.pages,
    added: r.added,
    updated: r.updated,
    deleted: r.deleted,
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
    changesCursor: encodeFeedCursor(r.feedSeqBefore ?? 0),
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
  }
}

/**
 * The sweep (every minute): starts the runs of syncs whose schedule has come, and re-queues runs
 * that have been silent for longer than `config.sync.staleAfterMs` (their worker died or their job
 * was lost: the stuck-run detection).
 * @returns how many runs were started and re-queued.
 */
export async function sweepSyncs(ctx: AppContext): Promise<{ scheduled: number; requeued: number }> {
  let scheduled = 0
  for (const sync of await q.takeDueSyncs(ctx.db, 500)) {
    try {
      const loaded = await ctx.credentials.get(sync.environmentId, sync.connectionId)
      const { connector, row: integration } = loaded.integration
      const ms = parseFrequency(effectiveFrequency(sync, integration.syncSettings, connector))
      await q.updateSync(ctx.db, sync.id, { nextRunAt: after(ms) })
      // "Full run every N": an incremental sync whose last full run is too old lists everything again (deletion pass included).
      const fullResync = fullResyncDue(sync, integration.syncSettings, connector)
      if ((await startRun(ctx, loaded, sync, 'schedule', { fullResync })).created) scheduled++
    } catch (err) {
      ctx.log.warn({ syncId: sync.id, err: (err as Error).message }, 'scheduled sync not started')
    }
  }
  const stale = await q.takeStaleRuns(ctx.db, ctx.config.sync.staleAfterMs, 500)
  for (const run of stale) await enqueueRun(ctx, run, run.slice)
  if (scheduled || stale.length) ctx.log.info({ scheduled, requeued: stale.length }, 'sync sweep')
  return { scheduled, requeued: stale.length }
}

/** The public view of a connection's syncs, with their last runs. */
export async function syncsOut(ctx: AppContext, loaded: LoadedConnection, rows: SyncRow[]) {
  const { connector, row: integration } = loaded.integration
  const runs = await Promise.all(rows.map((s) => (s.lastRunId ? q.findRun(ctx.db, s.lastRunId) : undefined)))
  return rows.map((s, i) => {
    const def = connector.syncs[s.name]
    const run = runs[i]
    return {
      name: s.name,
      model: def?.object ?? '',
      description: def?.description ?? null,
      mode: def?.mode ?? ('full' as const),
      status: s.status,
      frequency: effectiveFrequency(s, integration.syncSettings, connector),
      customFrequency: s.frequency !== null,
      nextRunAt: s.nextRunAt?.toISOString() ?? null,
      lastSucceededAt: s.lastSucceededAt?.toISOString() ?? null,
      fullResyncFrequency: effectiveFullResyncFrequency(s.name, integration.syncSettings, connector),
      lastFullSyncAt: s.lastFullSyncAt?.toISOString() ?? null,
      nextFullResyncAt: nextFullResyncAt(s, integration.syncSettings, connector)?.toISOString() ?? null,
      lastRun: run ? runOut(run) : null,
    }
  })
}
