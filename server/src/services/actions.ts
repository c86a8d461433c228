/**
 * Connector actions: writes to a provider (create a contact, update a deal…) that a connector
 * declares (`actions` in connectors/schema.ts), run for one connection and recorded in `action_runs`.
 *
 * Idempotency (draft-ietf-httpapi-idempotency-key-header, the scheme of Stripe's `Idempotency-Key`):
 * with a key, the run is recorded as `running` before the provider is called, under a unique index on
 * (connection, action, key); a repeat of the key
 * - with another input → `idempotency_key_reused` (422);
 * - while the first is running → `idempotency_in_progress` (409), unless that run has been running
 *   for longer than {@link ACTION_STALE_AFTER_MS} (its process died): it is then taken over;
 * - after the provider's final answer (2xx or not) → the stored result, `replayed: true`, without
 *   calling the provider;
 * - after a failure without a final answer — none at all (`upstream_unreachable`,
 *   `upstream_rate_limited`, `reauth_required`…) or a status the connector retries (`http.retry.on`,
 *   e.g. 503) still there after the retries — → the action runs again, as the same run: the
 *   provider gets the same `Idempotency-Key`, so one that did act on the first attempt replays its answer.
 *
 * The provider receives an `Idempotency-Key` derived from (connection, action, key) — not the
 * caller's key itself, which is scoped to one action of one connection while a provider scopes keys
 * to the whole account. No database transaction is open during the provider call.
 */
import type { z } from 'zod'
import type { AppContext } from '../context'
import * as q from '../db/queries/actions'
import type { ActionRunStatus } from '../db/schema/index'
import { canonicalJson, contentHash } from '../lib/canonical-json'
import { notFound, PatchbayError } from '../lib/errors'
import type { Connector } from '../../../connectors/schema'
import { invertMapping } from '../mapping/apply'
import { mappingForRecords } from './mappings'
import { newId } from '../lib/ids'
import type { LoadedConnection } from './credential-store'
import { bodyError } from '../../../connectors/pagination'
import { graphqlErrors } from '../../../connectors/graphql'
import { callProvider, providerUrl } from './provider-client'
import { pageOf } from '../lib/pages'

export type ActionRunRow = q.ActionRunRow

/** A run still `running` after this long (by the database clock) is taken to be abandoned and may be taken over, ms. */
export const ACTION_STALE_AFTER_MS = 5 * 60_000
/**
 * The longest a run waits for rate limits and retries before giving up with `upstream_unreachable`, ms.
 * Well under {@link ACTION_STALE_AFTER_MS}, so a live run is not taken over (one attempt may still
 * add `config.providerTimeoutMs`).
 */
export const ACTION_DEADLINE_MS = 2 * 60_000

/** Methods whose repetition has the same effect (RFC 9110 §9.2.2), so a failed attempt may be retried without a key. */
const IDEMPOTENT_METHODS = new Set(['PUT', 'DELETE'])

export interface RunActionRequest {
  connectionId: string
  /** The action's name in the connector (`create_contact`). */
  action: string
  /** The action's input, validated with the action's zod schema. */
  input: unknown
  /**
   * Instead of `input`: a record in the vendor's model shape (write-back). Turned into the action's
   * input by the inverse of the connection's mapping of the action's `object`; provider fields the
   * action does not take (read-only ones such as `created_at`) are left out.
   */
  record?: Record<string, unknown> | undefined
  /** The caller's idempotency key (1–255 characters), scoped to this connection and action. */
  idempotencyKey?: string | undefined
}

export interface RunActionOptions {
  /** See {@link ACTION_STALE_AFTER_MS} (tests shorten it). */
  staleAfterMs?: number
}

/** A finished run; `replayed` when it is the stored result of an earlier request with the same idempotency key. */
export interface ActionRunResult {
  run: ActionRunRow
  replayed: boolean
}

/**
 * The SHA-256 (base64url) of the canonical JSON (RFC 8785 key order) of an action's input: equal
 * for equal content whatever the key order.
 */
export function actionInputHash(input: unknown): string {
  return contentHash(canonicalJson(input))
}

/**
 * The `Idempotency-Key` sent to the provider for a caller's key: SHA-256 of (connection, action, key),
 * 43 base64url characters. Stable across attempts, distinct across connections and actions.
 */
export function providerIdempotencyKey(connectionId: string, action: string, idempotencyKey: string): string {
  return contentHash(canonicalJson(['patchbay-action', connectionId, action, idempotencyKey]))
}

function activeOrThrow(loaded: LoadedConnection): void {
  const { status } = loaded.connection
  if (status === 'needs_reauth') throw new PatchbayError('reauth_required', 'The connection needs to be authorized again by its end user')
  if (status !== 'active') throw new PatchbayError('connection_not_active', `The connection is ${status}`)
}

/**
 * The action input for a record in the vendor's model shape: the record through the inverse of the
 * mapping in effect for the action's object (`invertMapping`), without the provider fields the
 * action's input schema does not take (a strict schema's unrecognized keys).
 * @throws {PatchbayError} `invalid_request` (both `input` and `record`; an action without `object`;
 *   a value that does not fit, `errors` with `record.<field>` paths); `mapping_required` (no mapping
 *   in effect); `mapping_not_invertible` (`errors` lists why).
 */
async function recordToInput(ctx: AppContext, environmentId: string, req: RunActionRequest, action: Connector['actions'][string]): Promise<unknown> {
  if (req.input !== undefined) throw new PatchbayError('invalid_request', 'Send either input (the provider shape) or record (your model shape), not both', { errors: [{ path: 'record', message: 'not with input' }] })
  if (!action.object) throw new PatchbayError('invalid_request', `The action ${req.action} does not write one object's records, so it takes input, not record`, { errors: [{ path: 'record', message: 'this action takes input' }] })
  const mapped = await mappingForRecords(ctx, environmentId, req.connectionId, action.object)
  if (!mapped) throw new PatchbayError('mapping_required', `The connection has no mapping of ${action.object} to one of your models: set one (PUT /v1/connections/{id}/mappings/${action.object}) or send input`)
  const inverse = invertMapping(mapped.model, mapped.mapping)
  if (!inverse.invertible) throw new PatchbayError('mapping_not_invertible', `The mapping of ${action.object} to ${mapped.model.name} cannot be written back`, { errors: inverse.reasons.map((message) => ({ path: 'mapping', message })) })
  let provider: Record<string, unknown>
  try {
    provider = inverse.toProvider(req.record!)
  } catch (err) {
    if (err instanceof PatchbayError && Array.isArray(err.extra.errors)) {
      throw new PatchbayError('invalid_request', `The record does not fit the mapping of ${action.object} to ${mapped.model.name}`, { errors: (err.extra.errors as { path: string; message: string }[]).map((e) => ({ path: `record.${e.path}`, message: e.message })) })
    }
    throw err
  }
  const first = action.input.safeParse(provider)
  if (first.success) return provider
  // Leave out what the action does not take (read-only fields such as `created_at`, at any depth);
  // every other problem is reported by the caller's parse.
  for (const issue of first.error.issues) {
    if (issue.code !== 'unrecognized_keys') continue
    let at: unknown = provider
    for (const segment of issue.path) at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[segment as PropertyKey] : undefined
    if (at !== null && typeof at === 'object') for (const key of issue.keys) delete (at as Record<string, unknown>)[key]
  }
  return provider
}

/**
 * The request of an action for its (validated) input: `{name}` placeholders of the path filled from
 * the input's fields of the same name (URL-encoded as one path segment) and left out of the body;
 * the rest as JSON or, with `body: 'form'`, as form fields (nested objects in brackets). A GraphQL
 * action (`graphql`) sends `{ query, variables }`: the input as the variables, or as the one
 * variable `inputVariable` (`{ input: … }` for Linear's `issueCreate(input: $input)`).
 * @throws {PatchbayError} `invalid_request` when a placeholder has no text or number in the input.
 * @example actionRequest({ path: '/repos/{owner}/{repo}/issues', body: 'json', … }, { owner: 'octo', repo: 'x', title: 'Bug' })
 *   // → { path: '/repos/octo/x/issues', json: { title: 'Bug' } }
 */
export function actionRequest(action: Pick<Connector['actions'][string], 'path' | 'body' | 'formArrays'> & { graphql?: Connector['actions'][string]['graphql'] }, input: unknown): { path: string; json: unknown; form: URLSearchParams } {
  // A GraphQL mutation: the input is its variables (or the one `inputVariable`), the path is fixed.
  if (action.graphql) {
    const variables = action.graphql.inputVariable ? { [action.graphql.inputVariable]: input ?? {} } : (input ?? {})
    return { path: action.path, json: { query: action.graphql.query, variables }, form: new URLSearchParams() }
  }
  const rest: Record<string, unknown> = input !== null && typeof input === 'object' && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : {}
  const errors: { path: string; message: string }[] = []
  const path = action.path.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_, name: string) => {
    const value = rest[name]
    delete rest[name]
    if (typeof value === 'string' && value !== '') return encodeURIComponent(value)
    if (typeof value === 'number' && Number.isFinite(value)) return String(value)
    errors.push({ path: `input.${name}`, message: `${name} is required: it is part of the path` })
    return ''
  })
  if (errors.length) throw new PatchbayError('invalid_request', 'The input does not fill the action\'s path', { errors })
  const hasPlaceholders = path !== action.path
  const json = hasPlaceholders ? (Object.keys(rest).length ? rest : undefined) : input
  const form = new URLSearchParams()
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return
    if (Array.isArray(value)) value.forEach((v, i) => add(action.formArrays === 'repeat' && (v === null || typeof v !== 'object') ? key : `${key}[${i}]`, v))
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v)
    else form.append(key, String(value))
  }
  if (action.body === 'form') for (const [k, v] of Object.entries(hasPlaceholders ? rest : ((input ?? {}) as Record<string, unknown>))) add(k, v)
  return { path, json, form }
}

/**
 * A stored result that a repeat of its key replays: the provider's final answer, 2xx or not. Not a
 * failure before any answer, nor a status the connector treats as transient (`http.retry.on`: 429,
 * 502, 503, 504 by default) still there after the retries: the provider did not act, so a repeat
 * runs the action again.
 */
function isReplayable(run: ActionRunRow, transientStatuses: readonly number[]): boolean {
  if (run.status === 'succeeded') return true
  return run.status === 'failed' && run.errorCode === null && !(run.providerStatus !== null && transientStatuses.includes(run.providerStatus))
}

/**
 * Runs the action `req.action` of the connection's connector with `req.input` (see the module
 * comment for idempotency). The input goes to the provider as the JSON body of
 * `<method> <base URL><path>` with the connection's credentials, through `callProvider` (token
 * refresh on a 401, rate limits, retries of idempotent calls: with a key, or PUT/DELETE).
 *
 * @returns the finished run: `succeeded` (a 2xx; `output` is the provider's body, JSON-parsed when
 *   JSON, `null` when empty) or `failed` with `providerStatus` and `output` (the provider refused it;
 *   see {@link actionFailedError}), and whether it was replayed.
 * @throws {PatchbayError} `not_found` (connection, or action of its connector); `invalid_request`
 *   with `errors` whose paths start with `input`; `reauth_required`, `connection_not_active`;
 *   `idempotency_key_reused`, `idempotency_in_progress`; from the call (the run is then stored
 *   `failed` with `errorCode`/`errorMessage`): `reauth_required` (the connection is now
 *   `needs_reauth`), `upstream_rate_limited`, `upstream_unreachable`, `upstream_host_not_allowed`,
 *   `payload_too_large`.
 * @example
 * const { run, replayed } = await runAction(ctx, environmentId, { connectionId, action: 'create_contact', input: { email: 'ada@example.com' }, idempotencyKey: 'order-42' })
 */
export async function runAction(ctx: AppContext, environmentId: string, req: RunActionRequest, opts: RunActionOptions = {}): Promise<ActionRunResult> {
  const loaded = await ctx.credentials.get(environmentId, req.connectionId)
  const connector = loaded.integration.connector
  // `hasOwn`: a name such as `constructor` must not find Object.prototype's.
  const action = Object.hasOwn(connector.actions, req.action) ? connector.actions[req.action] : undefined
  if (!action) throw new PatchbayError('not_found', `The connector ${connector.id} has no action ${JSON.stringify(req.action)}`)
  const input = req.record === undefined ? req.input : await recordToInput(ctx, environmentId, req, action)
  const parsed = action.input.safeParse(input)
  if (!parsed.success) throw new PatchbayError('invalid_request', `The input of ${req.action} is not valid`, { errors: inputErrors(parsed.error) })
  // What goes on the wire (a transform may have produced Dates and the like).
  const body: unknown = parsed.data === undefined ? undefined : JSON.parse(JSON.stringify(parsed.data))
  const inputHash = actionInputHash(body ?? null)
  const key = req.idempotencyKey
  const staleAfterMs = opts.staleAfterMs ?? ACTION_STALE_AFTER_MS
  const transient = connector.http.retry.on
  const fresh = { id: newId('act'), environmentId, connectionId: req.connectionId, action: req.action, idempotencyKey: key ?? null, inputHash }

  let claimed: ActionRunRow | undefined
  if (key === undefined) {
    activeOrThrow(loaded)
    claimed = await q.insertActionRun(ctx.db, fresh)
  }
  // With a key: insert, or find the key's run and replay, refuse or take it over. Each lost race
  // (a concurrent insert or takeover) reads the run again.
  for (let attempt = 0; key !== undefined && !claimed; attempt++) {
    if (attempt >= 5) throw new PatchbayError('idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry later')
    const existing = await q.findActionRunByKey(ctx.db, req.connectionId, req.action, key)
    if (!existing) {
      activeOrThrow(loaded)
      claimed = await q.insertActionRun(ctx.db, fresh)
      continue
    }
    if (existing.inputHash !== inputHash) {
      throw new PatchbayError('idempotency_key_reused', 'This Idempotency-Key was used before with a different input', { actionRunId: existing.id })
    }
    if (isReplayable(existing, transient)) return { run: existing, replayed: true }
    // Fresh by this process's clock: in progress. Otherwise the database's clock decides, in the takeover.
    if (existing.status === 'running' && Date.now() - existing.createdAt.getTime() < staleAfterMs) throw new PatchbayError('idempotency_in_progress', 'A request with this Idempotency-Key is still running; retry later', { actionRunId: existing.id })
    activeOrThrow(loaded)
    claimed = await q.reclaimActionRun(ctx.db, existing.id, inputHash, staleAfterMs, transient)
    if (claimed && existing.status === 'running') ctx.log.warn({ actionRunId: existing.id, connectionId: req.connectionId, action: req.action }, 'took over an abandoned action run')
  }
  if (!claimed) throw new PatchbayError('internal', 'The action run could not be recorded')

  let outcome: q.ActionRunOutcome
  try {
    const request = actionRequest(action, body)
    const { response } = await callProvider(ctx, loaded, {
      method: action.method,
      url: providerUrl(loaded, request.path),
      ...(action.body === 'form' ? { form: request.form } : { json: request.json }),
      headers: key === undefined ? {} : { 'idempotency-key': providerIdempotencyKey(req.connectionId, req.action, key) },
      idempotent: key !== undefined || IDEMPOTENT_METHODS.has(action.method),
      signal: AbortSignal.timeout(ACTION_DEADLINE_MS),
    })
    // A 2xx can still be a refusal (Slack's `ok: false`): the connector's `http.errorWhen` says so;
    // for a GraphQL mutation, a non-empty `errors` array (https://spec.graphql.org/October2021/#sec-Errors).
    const ok = response.status >= 200 && response.status < 300 && !bodyError(connector.http.errorWhen, response.body) && !(action.graphql && graphqlErrors(response.body))
    outcome = { status: ok ? 'succeeded' : 'failed', providerStatus: response.status, output: response.body === '' ? null : response.body, errorCode: null, errorMessage: null }
  } catch (err) {
    const error =
      err instanceof PatchbayError
        ? err
        : isAbort(err)
          ? new PatchbayError('upstream_unreachable', `The provider did not complete the action within ${ACTION_DEADLINE_MS / 1000} s`)
          : undefined
    const failed: q.ActionRunOutcome = { status: 'failed', providerStatus: null, output: null, errorCode: error?.code ?? 'internal', errorMessage: error?.message ?? 'An unexpected error happened' }
    // The call's error is what the caller needs; a failure to record it is only logged (the run is taken over once stale).
    await finish(ctx, claimed, failed).catch((e: unknown) => ctx.log.error({ actionRunId: claimed.id, sqlState: sqlStateOf(e) }, 'could not record a failed action run'))
    throw error ?? err
  }
  return { run: await finish(ctx, claimed, outcome), replayed: false }
}

/** The SQLSTATE of a database error (drizzle wraps the driver's error in `cause`). */
function sqlStateOf(err: unknown): unknown {
  return (err as { cause?: { code?: unknown }; code?: unknown } | undefined)?.cause?.code ?? (err as { code?: unknown } | undefined)?.code
}

/**
 * zod issues as `{ path, message }` under `input` (as `zodErrors` in middleware/errors.ts), with an
 * unknown key reported at its own path (`input.nickname`) rather than at its object's.
 */
function inputErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const at = ['input', ...issue.path.map(String)]
    if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => ({ path: [...at, k].join('.'), message: `Unknown field ${JSON.stringify(k)}` }))
    return [{ path: at.join('.'), message: issue.message }]
  })
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
}

/**
 * Stores the outcome of a claimed run. When the output cannot be stored (PostgreSQL's jsonb refuses
 * `\u0000` in strings), the run is stored without it. When the run was taken over meanwhile, the
 * row is left to its new owner and this attempt's outcome is returned as it is.
 */
async function finish(ctx: AppContext, claimed: ActionRunRow, outcome: q.ActionRunOutcome): Promise<ActionRunRow> {
  let row: ActionRunRow | undefined
  try {
    row = await q.finishActionRun(ctx.db, claimed.id, claimed.createdAt, outcome)
  } catch (err) {
    if (outcome.output === null) throw err
    // Not `err` itself: the database error quotes the query's parameters, the provider's answer among them.
    ctx.log.warn({ actionRunId: claimed.id, sqlState: sqlStateOf(err) }, 'the output of an action run could not be stored')
    row = await q.finishActionRun(ctx.db, claimed.id, claimed.createdAt, { ...outcome, output: null, errorMessage: "The provider's answer could not be stored" })
  }
  if (row) return row
  ctx.log.warn({ actionRunId: claimed.id }, 'an action run was taken over before it finished')
  return { ...claimed, ...outcome, finishedAt: new Date() }
}

/**
 * The `action_failed` (502) problem for a run the provider refused, with the members
 * `actionRunId`, `providerStatus`, `output` (the provider's body) and `replayed`.
 */
export function actionFailedError(result: ActionRunResult): PatchbayError {
  const { run } = result
  return new PatchbayError('action_failed', `The provider refused the action ${run.action} (HTTP ${run.providerStatus ?? '?'})`, {
    actionRunId: run.id,
    providerStatus: run.providerStatus,
    output: run.output ?? null,
    replayed: result.replayed,
  })
}

/** An action run of the environment. @throws {PatchbayError} `not_found`. */
export async function getActionRun(ctx: AppContext, environmentId: string, id: string): Promise<ActionRunRow> {
  const run = await q.findActionRun(ctx.db, environmentId, id)
  if (!run) throw notFound('Action run', id)
  return run
}

export interface ListActionRunsInput {
  connectionId?: string | undefined
  action?: string | undefined
  status?: ActionRunStatus | undefined
  /** The `nextCursor` of the previous page. */
  cursor?: string | undefined
  /** Page size. */
  limit: number
}

/** A page of the environment's action runs, newest first, and the cursor of the next page (`null` at the end). */
export async function listActionRuns(ctx: AppContext, environmentId: string, input: ListActionRunsInput): Promise<{ data: ActionRunRow[]; nextCursor: string | null }> {
  const rows = await q.listActionRuns(ctx.db, { environmentId, connectionId: input.connectionId, action: input.action, status: input.status, beforeId: input.cursor, limit: input.limit + 1 })
  return pageOf(rows, input.limit, (r) => r.id)
}
