/**
 * Syncs (one per connection and connector sync) and their runs. A run is claimed by a job slice
 * with a fencing token (`slice`): every later write of that slice names the token, so a worker
 * that lost the run (its job expired, another took over) cannot write any more.
 */
import { and, desc, eq, inArray, lt, lte, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { connections, syncRuns, syncs, type SyncCheckpoint, type SyncRunStatus } from '../schema/index'

export type SyncRow = typeof syncs.$inferSelect
export type SyncRunRow = typeof syncRuns.$inferSelect

/** Creates the syncs of a connection; existing ones (same name) are kept as they are. */
export async function insertSyncs(tx: Db, rows: (typeof syncs.$inferInsert)[]): Promise<void> {
  if (rows.length) await tx.insert(syncs).values(rows).onConflictDoNothing()
}

export function listSyncsOfConnection(db: Db, connectionId: string): Promise<SyncRow[]> {
  return db.select().from(syncs).where(eq(syncs.connectionId, connectionId)).orderBy(syncs.name)
}

export function findSync(db: Db, connectionId: string, name: string): Promise<SyncRow | undefined> {
  return db.query.syncs.findFirst({ where: and(eq(syncs.connectionId, connectionId), eq(syncs.name, name)) })
}

export async function updateSync(db: Db, id: string, patch: Partial<Pick<SyncRow, 'status' | 'frequency' | 'nextRunAt' | 'cursor' | 'lastRunId' | 'lastSucceededAt' | 'lastFullSyncAt'>>): Promise<SyncRow | undefined> {
  const [r] = await db.update(syncs).set({ ...patch, updatedAt: new Date() }).where(eq(syncs.id, id)).returning()
  return r
}

/**
 * Enabled syncs of active connections whose `next_run_at` has come, oldest first; their
 * `next_run_at` is moved 5 minutes on in the same statement (the caller then sets the real next
 * time), so two sweeps never start the same scheduled run.
 */
export async function takeDueSyncs(db: Db, limit: number): Promise<SyncRow[]> {
  const due = await db
    .select({ id: syncs.id })
    .from(syncs)
    .innerJoin(connections, eq(connections.id, syncs.connectionId))
    .where(and(eq(syncs.status, 'enabled'), lte(syncs.nextRunAt, sql`now()`), eq(connections.status, 'active')))
    .orderBy(syncs.nextRunAt)
    .limit(limit)
  if (due.length === 0) return []
  // Compare-and-set on next_run_at: a concurrent sweep that took the same rows updates none. The
  // provisional next time (5 min) holds if the sweep dies before it sets the real one.
  return db
    .update(syncs)
    .set({ nextRunAt: sql`now() + interval '5 minutes'`, updatedAt: new Date() })
    .where(and(inArray(syncs.id, due.map((d) => d.id)), lte(syncs.nextRunAt, sql`now()`)))
    .returning()
}

/**
 * Inserts a queued run unless the sync already has an unfinished one (partial unique index).
 * @returns the new run, or the unfinished one with `created: false`.
 */
export async function insertRunOrGetActive(db: Db, row: typeof syncRuns.$inferInsert): Promise<{ run: SyncRunRow; created: boolean }> {
  const [created] = await db
    .insert(syncRuns)
    .values(row)
    .onConflictDoNothing({ target: syncRuns.syncId, where: sql`status in ('queued', 'running')` })
    .returning()
  if (created) return { run: created, created: true }
  const active = await db.query.syncRuns.findFirst({ where: and(eq(syncRuns.syncId, row.syncId), inArray(syncRuns.status, ['queued', 'running'])) })
  if (!active) throw new Error('run conflict without an active run')
  return { run: active, created: false }
}

export function findRun(db: Db, id: string): Promise<SyncRunRow | undefined> {
  return db.query.syncRuns.findFirst({ where: eq(syncRuns.id, id) })
}

/** Claims a run for a job slice that carries fencing token `slice`. @returns the run with its new token, or undefined. */
export async function claimRun(db: Db, id: string, slice: number): Promise<SyncRunRow | undefined> {
  const [r] = await db
    .update(syncRuns)
    .set({ slice: sql`${syncRuns.slice} + 1`, status: 'running', startedAt: sql`coalesce(${syncRuns.startedAt}, now())`, heartbeatAt: sql`now()` })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.slice, slice), inArray(syncRuns.status, ['queued', 'running'])))
    .returning()
  return r
}

/** What a slice writes with a page: the checkpoint and counter increments. */
export interface RunProgress {
  checkpoint: SyncCheckpoint
  pages?: number
  added?: number
  updated?: number
  deleted?: number
}

/** Saves progress if the run is still held with token `slice`. @returns false when it is not (fenced off). */
export async function saveProgress(db: Db, id: string, slice: number, p: RunProgress): Promise<boolean> {
  const rows = await db
    .update(syncRuns)
    .set({
      checkpoint: p.checkpoint,
      pages: sql`${syncRuns.pages} + ${p.pages ?? 0}`,
      added: sql`${syncRuns.added} + ${p.added ?? 0}`,
      updated: sql`${syncRuns.updated} + ${p.updated ?? 0}`,
      deleted: sql`${syncRuns.deleted} + ${p.deleted ?? 0}`,
      heartbeatAt: sql`now()`,
    })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.slice, slice), eq(syncRuns.status, 'running')))
    .returning({ id: syncRuns.id })
  return rows.length === 1
}

/**
 * Sets a held run back to `queued` until `resumeInMs` from now (its heartbeat is set to that time,
 * so the stale-run sweep leaves it alone until then), recording a retryable error and the attempt.
 */
export async function requeueRun(db: Db, id: string, slice: number, opts: { resumeInMs: number; attempt: boolean; errorCode?: string | null; errorMessage?: string | null }): Promise<SyncRunRow | undefined> {
  const [r] = await db
    .update(syncRuns)
    .set({
      status: 'queued',
      heartbeatAt: sql`now() + make_interval(secs => ${opts.resumeInMs / 1000})`,
      ...(opts.attempt ? { attempts: sql`${syncRuns.attempts} + 1` } : {}),
      ...(opts.errorCode !== undefined ? { errorCode: opts.errorCode, errorMessage: opts.errorMessage ?? null } : {}),
    })
    .where(and(eq(syncRuns.id, id), eq(syncRuns.slice, slice), eq(syncRuns.status, 'running')))
    .returning()
  return r
}

/** Finishes a held run. @returns the finished run, or undefined when fenced off. */
export async function finishRun(db: Db, id: string, slice: number | null, outcome: { status: Extract<SyncRunStatus, 'succeeded' | 'failed' | 'cancelled'>; errorCode?: string | null; errorMessage?: string | null; checkpoint?: SyncCheckpoint; attempts?: number }): Promise<SyncRunRow | undefined> {
  const [r] = await db
    .update(syncRuns)
    .set({ status: outcome.status, finishedAt: sql`now()`, heartbeatAt: sql`now()`, errorCode: outcome.errorCode ?? null, errorMessage: outcome.errorMessage ?? null, ...(outcome.checkpoint ? { checkpoint: outcome.checkpoint } : {}), ...(outcome.attempts !== undefined ? { attempts: outcome.attempts } : {}) })
    .where(and(eq(syncRuns.id, id), slice === null ? inArray(syncRuns.status, ['queued', 'running']) : and(eq(syncRuns.slice, slice), eq(syncRuns.status, 'running'))))
    .returning()
  return r
}

/**
 * Unfinished runs silent for longer than `staleAfterMs` (their worker died, or their job was lost);
 * their heartbeat is moved to now so the next sweep waits again before re-queueing them.
 */
export async function takeStaleRuns(db: Db, staleAfterMs: number, limit: number): Promise<SyncRunRow[]> {
  const stale = await db
    .select({ id: syncRuns.id })
    .from(syncRuns)
    .where(and(inArray(syncRuns.status, ['queued', 'running']), lt(syncRuns.heartbeatAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000})`)))
    .limit(limit)
  if (stale.length === 0) return []
  return db
    .update(syncRuns)
    .set({ heartbeatAt: sql`now()` })
    .where(and(inArray(syncRuns.id, stale.map((s) => s.id)), lt(syncRuns.heartbeatAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000})`)))
    .returning()
}

/** Runs of an environment, newest first, keyset-paginated by (created_at, id). */
export function listRuns(db: Db, q: { environmentId: string; connectionId?: string | undefined; syncName?: string | undefined; status?: SyncRunStatus | undefined; before?: { createdAt: Date; id: string } | undefined; limit: number }): Promise<SyncRunRow[]> {
  const where = [eq(syncRuns.environmentId, q.environmentId)]
  if (q.connectionId) where.push(eq(syncRuns.connectionId, q.connectionId))
  if (q.syncName) where.push(eq(syncRuns.syncName, q.syncName))
  if (q.status) where.push(eq(syncRuns.status, q.status))
  if (q.before) where.push(sql`(${syncRuns.createdAt}, ${syncRuns.id}) < (${q.before.createdAt.toISOString()}::timestamptz, ${q.before.id})`)
  return db.select().from(syncRuns).where(and(...where)).orderBy(desc(syncRuns.createdAt), desc(syncRuns.id)).limit(q.limit)
}

export function findRunInEnvironment(db: Db, environmentId: string, id: string): Promise<SyncRunRow | undefined> {
  return db.query.syncRuns.findFirst({ where: and(eq(syncRuns.id, id), eq(syncRuns.environmentId, environmentId)) })
}

/** Cancels the unfinished runs of a sync (paused, or its connection deleted). @returns the cancelled runs. */
export function cancelActiveRuns(db: Db, syncId: string, reason = 'Cancelled: the sync was paused'): Promise<SyncRunRow[]> {
  return db
    .update(syncRuns)
    .set({ status: 'cancelled', finishedAt: sql`now()`, errorCode: null, errorMessage: reason })
    .where(and(eq(syncRuns.syncId, syncId), inArray(syncRuns.status, ['queued', 'running'])))
    .returning()
}
