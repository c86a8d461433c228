/**
 * The sync engine: runs one slice of a sync run (a `syncs.run` job). See docs/decisions/0010-syncs.md.
 *
 * A run walks the object's list pages (connectors/pagination.ts) and, after every page, stores its
 * records and the checkpoint (the next page's URL, counters, the largest cursor value) in ONE
 * transaction. A process killed at any moment therefore resumes from the last stored page: that
 * page is fetched again, and records, keyed by the provider's id and compared by content hash, are
 * neither lost nor duplicated.
 *
 * A slice works for at most `config.sync.sliceMs`, then queues its continuation: a long run never
 * holds a worker for long, and a worker that dies holds its connection's job key only until the
 * job expires. Every write of a slice is fenced by the run's `slice` token.
 *
 * Full runs (a `full` sync, the first run of an incremental sync, or a full resync) list
 * everything, then mark deleted, in batches, every record the run did not see.
 *
 * Errors: rate limits end the slice and resume after the wait (not counted as a failure);
 * network errors, timeouts, 5xx and malformed responses are retried up to `config.sync.maxAttempts`
 * with growing delays; anything else (401 after refresh, 4xx, a connector that does not match the
 * response) fails the run at once. A failed or successful run emits `sync.failed`/`sync.succeeded`.
 */
import { graphqlErrors } from '../../../connectors/graphql'
import { bodyError, extractItems, fillCursorTemplate, firstListRequest, firstPageUrl, getPath, listRequestCall, nextListRequest, withListParam, type ListRequest } from '../../../connectors/pagination'
import type { Connector } from '../../../connectors/schema'
import type { AppContext } from '../context'
import { inTransaction } from '../db/client'
import { findConnection, findConnectionRow } from '../db/queries/connections'
import { findMapping } from '../db/queries/mappings'
import { latestSeq, markDeleted, markUnseenDeleted, touchRecords, upsertRecords, type RecordBatch } from '../db/queries/records'
import { claimRun, finishRun, requeueRun, saveProgress, updateSync, type SyncRunRow } from '../db/queries/syncs'
import type { SyncCheckpoint } from '../db/schema/index'
import type { Job } from '../jobs/engine'
import { canonicalJson, contentHash } from '../lib/canonical-json'
import { PatchbayError } from '../lib/errors'
import type { LoadedConnection } from './credential-store'
import { callProvider, withoutCredentials } from './provider-client'
import { connectionOut } from './connection-view'
import { encodeFeedCursor } from './records'
import { enqueueRun, syncEventPayload } from './syncs'
import { enqueueDeliveries, recordEvent } from './webhook-outbox'

export const SYNC_QUEUE = 'syncs.run'
export const SYNC_SWEEP_QUEUE = 'syncs.sweep'

/**
 * What a `syncs.run` job carries: the run and the fencing token the slice must find; or a remap of a
 * connection's model after its field mapping changed (it runs on the same per-connection key, so
 * the feed's order stays the commit order).
 */
export type SyncJob = { runId: string; slice: number } | { remap: RemapJob }

/** A remap in progress: where it is (`after`, a provider id), the feed position it started from, how many records it re-emitted. */
export interface RemapJob {
  connectionId: string
  model: string
  after: string
  /** The feed's last sequence before the first batch (set by the first slice). */
  seqBefore?: number
  touched?: number
}

/** Thrown when a write finds the run no longer held by this slice. */
class FencedOff extends Error {}

/** A connector sync resolved against its object: everything a page needs. */
export interface SyncPlan {
  model: string
  path: string
  params: Record<string, string>
  pagination: NonNullable<Connector['http']['pagination']>
  keyPath: string
  cursorPath: string | undefined
  updatedSinceParam: string | undefined
  /**
   * Incremental, `body`/`graphql` lists: the member or variable set to `value` with `'{cursor}'`
   * replaced; with `format`, GET lists: the query parameter templated with the formatted cursor ({@link runParams}).
   */
  updatedSince: Connector['syncs'][string]['updatedSince']
  /** A `POST` list's JSON body (`objects.<name>.body`). */
  body: Record<string, unknown> | undefined
  /** A GraphQL list (`objects.<name>.graphql`): its pages fail on a non-empty `errors` array. */
  graphql: { query: string; variables: Record<string, unknown> } | undefined
  deletedWhen: Connector['syncs'][string]['deletedWhen']
  mode: 'incremental' | 'full'
  /** The connector's `hooks.syncItem`, bound to this sync. */
  adjust: ((item: unknown) => unknown) | undefined
}

/**
 * Resolves a connector's sync: its object, pagination, key and cursor paths (a field name maps to
 * its `from` path). @throws {PatchbayError} `not_found` when the connector has no such sync.
 */
export function syncPlan(connector: Connector, syncName: string): SyncPlan {
  const sync = connector.syncs[syncName]
  const object = sync && connector.objects[sync.object]
  if (!sync || !object) throw new PatchbayError('not_found', `Connector ${connector.id} has no sync ${JSON.stringify(syncName)}`)
  const pathOf = (name: string) => object.fields[name]?.from ?? name
  const keyName = Object.entries(object.fields).find(([, f]) => f.key)![0]
  return {
    model: sync.object,
    path: object.path,
    params: object.params,
    pagination: (object.pagination ?? connector.http.pagination)!,
    keyPath: pathOf(keyName),
    cursorPath: sync.cursorField ? pathOf(sync.cursorField) : undefined,
    updatedSinceParam: sync.updatedSinceParam,
    updatedSince: sync.updatedSince,
    body: object.body as Record<string, unknown> | undefined,
    graphql: object.graphql as SyncPlan['graphql'],
    deletedWhen: sync.deletedWhen,
    mode: sync.mode,
    adjust: connector.hooks.syncItem ? (item) => connector.hooks.syncItem!(item, { name: syncName, model: sync.object }) : undefined,
  }
}

/** One page turned into what the store needs. */
interface PageRecords {
  batch: RecordBatch
  deletedIds: string[]
  cursorMax: string | number | null
  skipped: number
}

/** Cursor values compare as numbers when both are numbers, else as strings (ISO 8601 instants sort as text). */
function laterCursor(a: string | number | null | undefined, b: unknown): string | number | null {
  if (typeof b !== 'string' && typeof b !== 'number') return a ?? null
  if (a === null || a === undefined) return b
  if (typeof a === 'number' && typeof b === 'number') return b > a ? b : a
  return String(b) > String(a) ? b : a
}

/** How far before a run's start the next incremental run looks again, ms (clock skew, changes during the run). */
export const CURSOR_LOOKBACK_MS = 60_000

/**
 * The cursor to store after a run: the largest value seen, but never later than the run's start
 * minus {@link CURSOR_LOOKBACK_MS}. Pages are ordered by id, not by update time, so a record changed
 * after the run passed it may carry an older time than a record seen later; starting the next run
 * from the run's start finds it. Records seen twice are unchanged and not rewritten. Dates (ISO 8601)
 * and epoch numbers (seconds below 10¹¹, else milliseconds) are capped; other values are kept.
 */
export function capCursor(cursor: string | number | null, runStartedAt: Date): string | number | null {
  const limit = runStartedAt.getTime() - CURSOR_LOOKBACK_MS
  if (typeof cursor === 'number') {
    const ms = cursor < 1e11 ? cursor * 1000 : cursor
    if (ms <= limit) return cursor
    return cursor < 1e11 ? Math.floor(limit / 1000) : limit
  }
  if (typeof cursor === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(cursor)) {
    const at = Date.parse(cursor)
    if (!Number.isNaN(at) && at > limit) return new Date(limit).toISOString()
  }
  return cursor
}

/**
 * Extracts ids, canonical JSON and hashes of a page's items. Items without a string or numeric id
 * are skipped (counted); a repeated id keeps its last occurrence; items the provider marks deleted
 * (`deletedWhen`) go to `deletedIds`.
 */
export function pageRecords(plan: SyncPlan, items: readonly unknown[], cursorMax: string | number | null): PageRecords {
  const index = new Map<string, number>()
  const batch: RecordBatch = { externalIds: [], data: [], hashes: [] }
  const deletedIds: string[] = []
  let skipped = 0
  for (const original of items) {
    const item = plan.adjust ? plan.adjust(original) : original
    if (item === null || item === undefined) continue
    const raw = getPath(item, plan.keyPath)
    if ((typeof raw !== 'string' || raw === '') && typeof raw !== 'number') {
      skipped++
      continue
    }
    const id = String(raw)
    if (plan.cursorPath) cursorMax = laterCursor(cursorMax, getPath(item, plan.cursorPath))
    if (plan.deletedWhen && getPath(item, plan.deletedWhen.path) === plan.deletedWhen.equals) {
      deletedIds.push(id)
      continue
    }
    const text = canonicalJson(item)
    const at = index.get(id)
    if (at !== undefined) {
      batch.data[at] = text
      batch.hashes[at] = contentHash(text)
      continue
    }
    index.set(id, batch.externalIds.length)
    batch.externalIds.push(id)
    batch.data.push(text)
    batch.hashes.push(contentHash(text))
  }
  return { batch, deletedIds, cursorMax, skipped }
}

/**
 * The query parameters of a run's first page of a GET list: the object's `params`, and on an
 * incremental run with a cursor and a formatted `updatedSince` (a templated query-text parameter
 * such as SOQL's `q`), that parameter set to its template with the cursor formatted in
 * (connectors/pagination.ts `fillCursorTemplate`). The connector's `listParams` hook then sees
 * these, so it adjusts the incremental query too (Salesforce adds mapped fields to its SELECT).
 * @throws {PatchbayError} `upstream_invalid_response` when the cursor does not parse as the format.
 */
export function runParams(plan: SyncPlan, cursor: string | number | null, mode: 'incremental' | 'full'): Record<string, string> {
  const since = plan.updatedSince
  if (mode !== 'incremental' || cursor === null || cursor === undefined || !since?.format || typeof since.value !== 'string') return plan.params
  return { ...plan.params, [since.name]: fillCursorTemplate(since.value, cursor, since.format) }
}

/**
 * The URL of a run's first page of a GET list: the object's list, with `updatedSinceParam` (the
 * cursor as it is) or a templated `updatedSince` ({@link runParams}) for incremental runs.
 * @throws {PatchbayError} as {@link runParams}.
 */
export function firstPage(base: string, plan: SyncPlan, cursor: string | number | null, mode: 'incremental' | 'full'): URL {
  const url = firstPageUrl(base, { ...plan, params: runParams(plan, cursor, mode) }, plan.pagination)
  if (mode === 'incremental' && plan.updatedSinceParam && cursor !== null && cursor !== undefined) url.searchParams.set(plan.updatedSinceParam, String(cursor))
  return url
}

/**
 * The request of a run's first page, for any list (GET, `body`, `graphql`; connectors/pagination.ts
 * `firstListRequest`). Incremental runs with a cursor add `updatedSinceParam` (query parameter, body
 * member or variable, the cursor as it is) or `updatedSince` (its value with every `'{cursor}'`
 * string replaced by the cursor); full runs add neither.
 * @example firstPageRequest(base, syncPlan(linear, 'issues'), '2026-01-01T00:00:00.000Z', 'incremental')
 *   // graphql request with variables { first: 100, filter: { updatedAt: { gt: '2026-01-01T00:00:00.000Z' } } }
 */
export function firstPageRequest(base: string, plan: SyncPlan, cursor: string | number | null, mode: 'incremental' | 'full'): ListRequest {
  if (!plan.body && !plan.graphql) return { kind: 'get', url: firstPage(base, plan, cursor, mode) }
  let request = firstListRequest(base, plan, plan.pagination)
  if (mode !== 'incremental' || cursor === null || cursor === undefined) return request
  if (plan.updatedSinceParam) request = withListParam(request, plan.updatedSinceParam, cursor)
  if (plan.updatedSince) request = withListParam(request, plan.updatedSince.name, withCursor(plan.updatedSince.value, cursor))
  return request
}

/** `value` with every string equal to `'{cursor}'` replaced by `cursor`, at any depth. */
function withCursor(value: unknown, cursor: string | number): unknown {
  if (value === '{cursor}') return cursor
  if (Array.isArray(value)) return value.map((v) => withCursor(v, cursor))
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withCursor(v, cursor)]))
  return value
}

/** The stored form of a list request (credentials removed from the URL). */
export function checkpointOf(loaded: LoadedConnection, request: ListRequest): Pick<SyncCheckpoint, 'nextUrl' | 'nextBody'> {
  const nextUrl = withoutCredentials(loaded, request.url).href
  return request.kind === 'get' ? { nextUrl } : { nextUrl, nextBody: request.body }
}

/** The list request a checkpoint stores (see {@link checkpointOf}). */
function requestOf(plan: SyncPlan, cp: SyncCheckpoint): ListRequest {
  const url = new URL(cp.nextUrl!)
  if (plan.graphql) return { kind: 'graphql', url, body: cp.nextBody as { query: string; variables: Record<string, unknown> } }
  if (plan.body) return { kind: 'body', url, body: cp.nextBody ?? {} }
  return { kind: 'get', url }
}

type Outcome = { kind: 'done' } | { kind: 'continue'; inMs: number } | { kind: 'fenced' }

/** Whether an error is worth another attempt of the run. */
function retryable(err: unknown): boolean {
  if (!(err instanceof PatchbayError)) return !(err instanceof TypeError)
  if (err.code === 'upstream_unreachable' || err.code === 'upstream_invalid_response') return err.extra.retryable !== false
  if (err.code === 'upstream_error') return err.extra.retryable === true
  return false
}

/** The `syncs.run` job handler. */
export async function runSyncSlice(ctx: AppContext, job: Job<SyncJob>): Promise<void> {
  if ('remap' in job.data) return remapSlice(ctx, job.data.remap, Date.now() + ctx.config.sync.sliceMs)
  const run = await claimRun(ctx.db, job.data.runId, job.data.slice)
  if (!run) return // finished, cancelled, or another slice holds it: nothing to do
  const tuning = ctx.config.sync
  let outcome: Outcome
  try {
    outcome = await work(ctx, run, job.signal, Date.now() + tuning.sliceMs)
  } catch (err) {
    if (err instanceof FencedOff) return
    if (err instanceof PatchbayError && err.code === 'upstream_rate_limited') {
      const inMs = Number(err.extra.retryAfterMs ?? 1000)
      if (await requeueRun(ctx.db, run.id, run.slice, { resumeInMs: inMs, attempt: false })) await enqueueRun(ctx, run, run.slice, inMs)
      return
    }
    const code = err instanceof PatchbayError ? err.code : 'internal'
    const message = err instanceof PatchbayError ? err.message : `Unexpected error: ${(err as Error).message}`
    if (job.signal.aborted) {
      // Deploy or expiry: resume at once elsewhere, without counting an attempt.
      if (await requeueRun(ctx.db, run.id, run.slice, { resumeInMs: 0, attempt: false })) await enqueueRun(ctx, run, run.slice, 0)
      return
    }
    const attemptsMade = run.attempts + 1
    if (retryable(err) && attemptsMade < tuning.maxAttempts) {
      const delays = tuning.retryDelaysMs
      const inMs = delays[Math.min(attemptsMade - 1, delays.length - 1)]! * (0.8 + Math.random() * 0.4)
      ctx.log.warn({ runId: run.id, connectionId: run.connectionId, sync: run.syncName, attempt: attemptsMade, code, err: message }, 'sync attempt failed; retrying')
      if (await requeueRun(ctx.db, run.id, run.slice, { resumeInMs: inMs, attempt: true, errorCode: code, errorMessage: message })) await enqueueRun(ctx, run, run.slice, inMs)
      return
    }
    ctx.log.warn({ runId: run.id, connectionId: run.connectionId, sync: run.syncName, code, err: message }, 'sync run failed')
    await completeRun(ctx, run, { status: 'failed', errorCode: code, errorMessage: message, attempts: attemptsMade })
    return
  }
  if (outcome.kind === 'continue') {
    if (await requeueRun(ctx.db, run.id, run.slice, { resumeInMs: outcome.inMs, attempt: false })) await enqueueRun(ctx, run, run.slice, outcome.inMs)
  }
}

/** Works on a held run until it is done, the slice's deadline passes, or the job is aborted. */
async function work(ctx: AppContext, run: SyncRunRow, signal: AbortSignal, deadline: number): Promise<Outcome> {
  let loaded: LoadedConnection = await ctx.credentials.get(run.environmentId, run.connectionId)
  const status = loaded.connection.status
  if (status === 'needs_reauth') throw new PatchbayError('reauth_required', 'The connection needs to be authorized again by its end user')
  if (status !== 'active') throw new PatchbayError('connection_not_active', `The connection is ${status}`)
  const plan = syncPlan(loaded.integration.connector, run.syncName)
  let cp: SyncCheckpoint = run.checkpoint
  const tuning = ctx.config.sync

  // Pipelined: while a page is stored, the next one is fetched and hashed (`ahead`). Its result is
  // only used after the store committed; if the slice ends first, it is dropped and fetched again.
  let ahead: Promise<FetchedPage> | null = null
  while (cp.phase === 'fetch' && cp.nextUrl) {
    if (Date.now() >= deadline || signal.aborted) return { kind: 'continue', inMs: 0 }
    const page = await (ahead ?? fetchPage(ctx, run, plan, loaded, requestOf(plan, cp), cp.cursorMax ?? null, signal, deadline))
    ahead = null
    loaded = page.loaded
    if (page.records.skipped) ctx.log.warn({ runId: run.id, skipped: page.records.skipped }, 'items without an id were skipped')
    const nextCp = page.checkpoint
    if (nextCp.phase === 'fetch' && nextCp.nextUrl && Date.now() < deadline && !signal.aborted) {
      ahead = fetchPage(ctx, run, plan, loaded, requestOf(plan, nextCp), nextCp.cursorMax ?? null, signal, deadline)
      ahead.catch(() => {}) // surfaces when awaited; dropped with the slice otherwise
    }
    await inTransaction(ctx.db, async (tx) => {
      const counts = await upsertRecords(tx, run.connectionId, plan.model, page.records.batch, run.mode === 'full' ? run.id : null)
      const deleted = await markDeleted(tx, run.connectionId, plan.model, page.records.deletedIds)
      if (!(await saveProgress(tx, run.id, run.slice, { checkpoint: nextCp, pages: 1, added: counts.added, updated: counts.updated, deleted }))) throw new FencedOff()
    })
    cp = nextCp
  }

  while (cp.phase === 'delete') {
    if (Date.now() >= deadline || signal.aborted) return { kind: 'continue', inMs: 0 }
    const after = cp.deleteAfter ?? ''
    await inTransaction(ctx.db, async (tx) => {
      const batch = await markUnseenDeleted(tx, run.connectionId, plan.model, run.id, after, tuning.deleteBatchSize)
      const nextCp: SyncCheckpoint = batch.last === null ? { ...cp, phase: 'done', deleteAfter: after } : { ...cp, deleteAfter: batch.last }
      if (!(await saveProgress(tx, run.id, run.slice, { checkpoint: nextCp, deleted: batch.deleted }))) throw new FencedOff()
      cp = nextCp
    })
  }

  // A full run saw every record, so its own largest value replaces the stored cursor (a full resync
  // thereby clears a cursor that sorts later than any record, e.g. one refused by a templated
  // `updatedSince`); an incremental run only moves the cursor forward.
  const seen = capCursor(cp.cursorMax ?? null, run.startedAt ?? run.createdAt)
  await completeRun(ctx, run, { status: 'succeeded', cursor: run.mode === 'full' && seen !== null ? seen : laterCursor(run.cursorBefore, seen) })
  return { kind: 'done' }
}

/** A fetched page turned into records, with the checkpoint to store with them. */
interface FetchedPage {
  loaded: LoadedConnection
  records: PageRecords
  checkpoint: SyncCheckpoint
}

/**
 * Fetches one list page and prepares it for the store: items, next page, canonical JSON and hashes.
 * A `body` or `graphql` page is a POST of its JSON body, idempotent all the same (a list reads).
 * @throws {PatchbayError} `upstream_error` for a non-2xx answer or a GraphQL answer with `errors`,
 *   `upstream_invalid_response` for a body that is not JSON or does not match the connector; and
 *   whatever {@link callProvider} throws.
 */
async function fetchPage(ctx: AppContext, run: SyncRunRow, plan: SyncPlan, loaded: LoadedConnection, request: ListRequest, cursorMax: string | number | null, signal: AbortSignal, deadline: number): Promise<FetchedPage> {
  const { url } = request
  const call = await callProvider(ctx, loaded, { ...listRequestCall(request), idempotent: true, signal, maxWaitMs: Math.max(0, Math.min(ctx.config.sync.rateLimitMaxWaitMs, deadline - Date.now())) })
  const { status: httpStatus, body, headers, malformed } = call.response
  if (httpStatus < 200 || httpStatus >= 300) {
    throw new PatchbayError('upstream_error', `The provider answered HTTP ${httpStatus} for ${url.pathname}: ${excerpt(body)}`, { providerStatus: httpStatus, retryable: httpStatus >= 500 || httpStatus === 408 })
  }
  if (malformed) throw new PatchbayError('upstream_invalid_response', `The provider's response for ${url.pathname} is not valid JSON`)
  const failed = bodyError(loaded.integration.connector.http.errorWhen, body)
  if (failed) throw new PatchbayError('upstream_error', `The provider answered ${failed.message} for ${url.pathname}`, { providerStatus: httpStatus, retryable: false })
  // GraphQL reports errors in the body, usually with HTTP 200, possibly beside partial data
  // (https://spec.graphql.org/October2021/#sec-Errors): the page failed.
  const gqlFailed = plan.graphql ? graphqlErrors(body) : undefined
  if (gqlFailed) throw new PatchbayError('upstream_error', `The provider answered ${gqlFailed.message} for ${url.pathname}`, { providerStatus: httpStatus, retryable: false })
  // A 2xx whose body is not JSON at all (an HTML maintenance or login page from a proxy, an empty
  // body) arrives as a string, in which the items path finds nothing: read as an empty last page,
  // it would end a full run early and mark every record deleted. Retried like malformed JSON.
  // (204 No Content stays an empty page.)
  if (typeof body === 'string' && httpStatus !== 204) {
    throw new PatchbayError('upstream_invalid_response', `The provider's response for ${url.pathname} is not JSON (content-type ${JSON.stringify(String(headers['content-type'] ?? ''))})`)
  }
  // A JSON body without the items at all (e.g. `{"status":"error"}` with a 200) is not an empty
  // page: read as one, it would end a full run early and mark every record deleted. Retried.
  if (getPath(body, plan.pagination.itemsPath) === undefined) {
    throw new PatchbayError('upstream_invalid_response', `The provider's response for ${url.pathname} has no ${JSON.stringify(plan.pagination.itemsPath)}: ${excerpt(body)}`)
  }
  let items: unknown[]
  try {
    items = extractItems(body, plan.pagination.itemsPath)
  } catch (err) {
    throw new PatchbayError('upstream_invalid_response', `The provider's response for ${url.pathname} does not match the connector: ${(err as Error).message}`, { retryable: false })
  }
  let next: ListRequest | null
  try {
    next = nextListRequest(plan.pagination, { body, headers, items }, request)
  } catch (err) {
    // A cursor that is not text or a number, `hasNextPage` without `endCursor`: the connector does not match.
    if (!(err instanceof TypeError)) throw err
    throw new PatchbayError('upstream_invalid_response', `The provider's response for ${url.pathname} does not match the connector: ${err.message}`, { retryable: false })
  }
  const records = pageRecords(plan, items, cursorMax)
  const checkpoint: SyncCheckpoint = {
    phase: next ? 'fetch' : run.mode === 'full' ? 'delete' : 'done',
    ...(next ? checkpointOf(call.loaded, next) : { nextUrl: null }),
    cursorMax: records.cursorMax,
    ...(next || run.mode !== 'full' ? {} : { deleteAfter: '' }),
  }
  return { loaded: call.loaded, records, checkpoint }
}

/**
 * Finishes a run (fenced), updates its sync and records the `sync.succeeded`/`sync.failed` event, in
 * one transaction; then queues the webhook deliveries.
 */
async function completeRun(ctx: AppContext, run: SyncRunRow, outcome: { status: 'succeeded' | 'failed'; errorCode?: string; errorMessage?: string; attempts?: number; cursor?: string | number | null }): Promise<void> {
  const deliveries = await inTransaction(ctx.db, async (tx) => {
    const done = await finishRun(tx, run.id, run.slice, { status: outcome.status, errorCode: outcome.errorCode ?? null, errorMessage: outcome.errorMessage ?? null, ...(outcome.attempts ? { attempts: outcome.attempts } : {}) })
    if (!done) throw new FencedOff()
    if (outcome.status === 'succeeded') {
      // A successful full run (initial, manual `fullResync`, scheduled full resync, any run of a full sync) restarts the full-resync clock.
      const now = new Date()
      await updateSync(tx, run.syncId, { cursor: outcome.cursor ?? null, lastSucceededAt: now, ...(run.mode === 'full' ? { lastFullSyncAt: now } : {}) })
    }
    return recordEvent(tx, { environmentId: run.environmentId, type: outcome.status === 'succeeded' ? 'sync.succeeded' : 'sync.failed', payload: await syncEventPayload(tx, done) })
  }).catch((err) => {
    if (err instanceof FencedOff) return []
    throw err
  })
  await enqueueDeliveries(ctx, deliveries)
}

/** A short, single-line excerpt of a provider body for an error message (never headers). */
function excerpt(body: unknown): string {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return (text ?? '').replace(/\s+/g, ' ').slice(0, 300)
}

/**
 * Re-emits a connection's live records of a model in the change feed (new positions, `updated`)
 * after its field mapping changed: the feed maps stored records when it reads them, so nothing is
 * fetched from the provider again. Batches of `deleteBatchSize`, one transaction each; a slice that
 * runs out of time queues its continuation.
 */
async function remapSlice(ctx: AppContext, remap: RemapJob, deadline: number): Promise<void> {
  let after = remap.after
  let touched = remap.touched ?? 0
  const seqBefore = remap.seqBefore ?? (await latestSeq(ctx.db, remap.connectionId, remap.model))
  for (;;) {
    const batch = await inTransaction(ctx.db, (tx) => touchRecords(tx, remap.connectionId, remap.model, after, ctx.config.sync.deleteBatchSize))
    touched += batch.touched
    if (batch.last === null) break
    after = batch.last
    if (Date.now() >= deadline) return enqueueRemap(ctx, { ...remap, after, seqBefore, touched })
  }
  await announceRemap(ctx, remap, seqBefore, touched)
}

/** Records `mapping.applied` for a finished remap (nothing when the connection is gone). */
async function announceRemap(ctx: AppContext, remap: RemapJob, seqBefore: number, touched: number): Promise<void> {
  const row = await findConnectionRow(ctx.db, remap.connectionId)
  if (!row) return
  const deliveries = await inTransaction(ctx.db, async (tx) => {
    const connection = await findConnection(tx, row.environmentId, row.id)
    if (!connection) return []
    const mapping = (await findMapping(tx, row.integrationId, row.id, remap.model)) ?? (await findMapping(tx, row.integrationId, null, remap.model))
    return recordEvent(tx, {
      environmentId: row.environmentId,
      type: 'mapping.applied',
      payload: {
        connection: connectionOut(connection),
        changes: { model: remap.model, cursor: encodeFeedCursor(seqBefore), added: 0, updated: touched, deleted: 0 },
        mapping: mapping ? { model: mapping.model, version: mapping.version, scope: mapping.connectionId ? 'connection' : 'integration' } : null,
      },
    })
  })
  await enqueueDeliveries(ctx, deliveries)
}

/** Queues a remap of a connection's model (see {@link remapSlice}); retried by the job engine if it fails. */
export async function enqueueRemap(ctx: AppContext, remap: Omit<RemapJob, 'after'> & { after?: string }): Promise<void> {
  await ctx.jobs.send<SyncJob>(SYNC_QUEUE, { remap: { after: '', ...remap } }, { singletonKey: remap.connectionId, retryLimit: 5, retryDelaySeconds: 5, retryBackoff: true })
}
