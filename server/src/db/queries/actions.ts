/**
 * Runs of connector actions (`action_runs`). A run is claimed by the request that executes it: the
 * claim token is the row's `created_at`, set to the database clock truncated to milliseconds (so the
 * JavaScript `Date` read back compares equal) on insert and on every takeover. A request finishes
 * only the run it still holds, so a run taken over from a request that was merely slow is not
 * overwritten by it.
 */
import { and, desc, eq, inArray, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../client'
import { actionRuns, type ActionRunStatus } from '../schema/index'

export type ActionRunRow = typeof actionRuns.$inferSelect

/** `now()` with millisecond precision, the precision of a JavaScript `Date`. */
const nowMs = sql`date_trunc('milliseconds', now())`

export interface NewActionRun {
  id: string
  environmentId: string
  connectionId: string
  action: string
  idempotencyKey: string | null
  inputHash: string
}

/**
 * Inserts a `running` run claimed by the caller.
 * @returns the row, or `undefined` when a run with the same (connection, action, idempotency key) exists.
 */
export async function insertActionRun(db: Db, run: NewActionRun): Promise<ActionRunRow | undefined> {
  const [row] = await db
    .insert(actionRuns)
    .values({ ...run, status: 'running', createdAt: nowMs })
    .onConflictDoNothing()
    .returning()
  return row
}

/** The run of an idempotency key, whatever its state. */
export async function findActionRunByKey(db: Db, connectionId: string, action: string, idempotencyKey: string): Promise<ActionRunRow | undefined> {
  const [row] = await db
    .select()
    .from(actionRuns)
    .where(and(eq(actionRuns.connectionId, connectionId), eq(actionRuns.action, action), eq(actionRuns.idempotencyKey, idempotencyKey)))
  return row
}

/**
 * Takes over a run with the same input that may be run again: `running` for longer than
 * `staleAfterMs` by the database clock (its request crashed), or `failed` without a final answer
 * from the provider: before any answer (`error_code` set: unreachable, rate limited, reauthorization
 * needed) or with one of `transientStatuses` (the connector's retryable statuses, e.g. 503).
 * Compare-and-swap: of concurrent callers, one gets the row.
 * @returns the run, `running` again and claimed by the caller, or `undefined` when it may not be taken over (any more).
 */
export async function reclaimActionRun(db: Db, id: string, inputHash: string, staleAfterMs: number, transientStatuses: readonly number[]): Promise<ActionRunRow | undefined> {
  const retryable = transientStatuses.length ? or(isNotNull(actionRuns.errorCode), inArray(actionRuns.providerStatus, [...transientStatuses])) : isNotNull(actionRuns.errorCode)
  const [row] = await db
    .update(actionRuns)
    .set({ status: 'running', createdAt: nowMs, finishedAt: null, providerStatus: null, output: null, errorCode: null, errorMessage: null })
    .where(
      and(
        eq(actionRuns.id, id),
        eq(actionRuns.inputHash, inputHash),
        or(
          and(eq(actionRuns.status, 'running'), lt(actionRuns.createdAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000}::double precision)`)),
          and(eq(actionRuns.status, 'failed'), retryable),
        ),
      ),
    )
    .returning()
  return row
}

/** The outcome of a run. */
export interface ActionRunOutcome {
  status: Exclude<ActionRunStatus, 'running'>
  providerStatus: number | null
  output: unknown
  errorCode: string | null
  errorMessage: string | null
}

/**
 * Records the outcome of a run the caller still holds (`claimedAt` is the `createdAt` of its claim).
 * @returns the finished row, or `undefined` when the run was taken over meanwhile.
 */
export async function finishActionRun(db: Db, id: string, claimedAt: Date, outcome: ActionRunOutcome): Promise<ActionRunRow | undefined> {
  const [row] = await db
    .update(actionRuns)
    .set({ ...outcome, output: outcome.output ?? null, finishedAt: sql`now()` })
    .where(and(eq(actionRuns.id, id), eq(actionRuns.status, 'running'), eq(actionRuns.createdAt, claimedAt)))
    .returning()
  return row
}

export async function findActionRun(db: Db, environmentId: string, id: string): Promise<ActionRunRow | undefined> {
  const [row] = await db
    .select()
    .from(actionRuns)
    .where(and(eq(actionRuns.id, id), eq(actionRuns.environmentId, environmentId)))
  return row
}

export interface ActionRunFilter {
  environmentId: string
  connectionId?: string | undefined
  action?: string | undefined
  status?: ActionRunStatus | undefined
  /** Newest first: runs after this one in that order. */
  beforeId?: string | undefined
  limit: number
}

/** Runs of the environment, newest first (`created_at`, then `id`, descending). */
export async function listActionRuns(db: Db, f: ActionRunFilter): Promise<ActionRunRow[]> {
  const where: SQL[] = [eq(actionRuns.environmentId, f.environmentId)]
  if (f.connectionId) where.push(eq(actionRuns.connectionId, f.connectionId))
  if (f.action) where.push(eq(actionRuns.action, f.action))
  if (f.status) where.push(eq(actionRuns.status, f.status))
  if (f.beforeId) {
    const [cursor] = await db
      .select({ createdAt: actionRuns.createdAt })
      .from(actionRuns)
      .where(and(eq(actionRuns.id, f.beforeId), eq(actionRuns.environmentId, f.environmentId)))
    if (!cursor) return []
    where.push(or(lt(actionRuns.createdAt, cursor.createdAt), and(eq(actionRuns.createdAt, cursor.createdAt), lt(actionRuns.id, f.beforeId)))!)
  }
  return db
    .select()
    .from(actionRuns)
    .where(and(...where))
    .orderBy(desc(actionRuns.createdAt), desc(actionRuns.id))
    .limit(f.limit)
}
