/**
 * Synced records and their change feed. The hot path (a page of a sync) zips arrays of ids and
 * hashes with the elements of a JSON array of the records (`rows from (unnest, json_array_elements,
 * unnest)`): one statement per page instead of one per record, and drizzle's row-by-row insert
 * builder is bypassed (3–7× slower here).
 *
 * Change feed: every insert, content change or deletion takes the next value of `records_seq`. A
 * connection's records are written by one sync job at a time (ADR 0010), so within a connection
 * the order of `seq` is the order of commits, and a reader that resumes after the last `seq` it saw
 * misses nothing.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm'
import type { Db } from '../client'
import { records } from '../schema/index'

export type RecordRow = typeof records.$inferSelect

/** A page of records to store: parallel arrays (same length), ids unique within the page. */
export interface RecordBatch {
  externalIds: string[]
  /** Canonical JSON text of each record. */
  data: string[]
  hashes: string[]
}

export interface UpsertCounts {
  added: number
  updated: number
}

/**
 * Inserts new records and rewrites changed ones (different hash, or deleted before); unchanged
 * records are not written. A record that reappears after a deletion is `added` again.
 * With `seenBy` (full syncs), every record of the batch is stamped with that run id, changed or not,
 * for {@link markUnseenDeleted}: the upsert stamps those it writes, a second statement the unchanged
 * rest (none on a first sync, where stamping every row again added about half the upsert's cost).
 */
export async function upsertRecords(tx: Db, connectionId: string, model: string, batch: RecordBatch, seenBy: string | null): Promise<UpsertCounts> {
  if (batch.externalIds.length === 0) return { added: 0, updated: 0 }
  const list = rowsOf<{ external_id: string; last_action: string }>(
    await tx.execute(sql`
    insert into records as r (connection_id, model, external_id, data, hash, last_action, last_seen_run_id)
    select ${connectionId}, ${model}, u.external_id, u.data::text, u.hash, 'added', ${seenBy}
    from rows from (unnest(${sql.param(batch.externalIds)}::text[]), json_array_elements(${jsonArray(batch.data)}::text::json), unnest(${sql.param(batch.hashes)}::text[])) as u(external_id, data, hash)
    on conflict (connection_id, model, external_id) do update set
      data = excluded.data,
      hash = excluded.hash,
      seq = nextval('records_seq'),
      last_action = case when r.deleted_at is null then 'updated' else 'added' end,
      updated_at = now(),
      deleted_at = null,
      last_seen_run_id = excluded.last_seen_run_id
    where r.hash <> excluded.hash or r.deleted_at is not null
    returning r.external_id, r.last_action`),
  )
  let added = 0
  for (const row of list) if (row.last_action === 'added') added++
  if (seenBy && list.length < batch.externalIds.length) {
    const written = new Set(list.map((row) => row.external_id))
    const unchanged = written.size === 0 ? batch.externalIds : batch.externalIds.filter((id) => !written.has(id))
    await tx.execute(sql`
      update records set last_seen_run_id = ${seenBy}
      where connection_id = ${connectionId} and model = ${model} and external_id = any(${sql.param(unchanged)}::text[])
        and last_seen_run_id is distinct from ${seenBy}`)
  }
  return { added, updated: list.length - added }
}

/**
 * The JSON texts as one JSON array text. The records travel as one `json` parameter rather than a
 * `text[]`: a text array escapes every `"` of every record on the way (postgres.js) and unescapes it
 * again (PostgreSQL), which cost the Node process about as much as hashing the records.
 */
function jsonArray(texts: string[]): string {
  return `[${texts.join(',')}]`
}

/**
 * Marks records deleted by id (the provider listed them as deleted, e.g. HubSpot `archived`).
 * Records never stored, or already deleted, are left alone. @returns how many were marked.
 */
export async function markDeleted(tx: Db, connectionId: string, model: string, externalIds: string[]): Promise<number> {
  if (externalIds.length === 0) return 0
  const rows = await tx.execute(sql`
    update records set deleted_at = now(), updated_at = now(), last_action = 'deleted', seq = nextval('records_seq')
    where connection_id = ${connectionId} and model = ${model} and external_id = any(${sql.param(externalIds)}::text[]) and deleted_at is null
    returning 1`)
  return rowsOf(rows).length
}

/**
 * One batch of deletion detection after a complete full run: of the next `limit` records by
 * external id after `after`, those not stamped by `runId` are marked deleted.
 * The batch carries the two columns tested, so only its unseen rows are looked up again: joined on
 * the external id alone, PostgreSQL (with statistics saying few rows are unseen) scanned the whole
 * connection's records for every batch, which made a run's deletion pass quadratic.
 * @returns how many were marked, and the last external id examined (null when none were left).
 */
export async function markUnseenDeleted(tx: Db, connectionId: string, model: string, runId: string, after: string, limit: number): Promise<{ deleted: number; last: string | null }> {
  const rows = rowsOf<{ last: string | null; deleted: string | number }>(
    await tx.execute(sql`
      with batch as (
        select external_id, deleted_at, last_seen_run_id from records
        where connection_id = ${connectionId} and model = ${model} and external_id > ${after}
        order by external_id limit ${limit}
      ), marked as (
        update records r set deleted_at = now(), updated_at = now(), last_action = 'deleted', seq = nextval('records_seq')
        from batch b
        where b.deleted_at is null and b.last_seen_run_id is distinct from ${runId}
          and r.connection_id = ${connectionId} and r.model = ${model} and r.external_id = b.external_id
          and r.deleted_at is null and r.last_seen_run_id is distinct from ${runId}
        returning 1
      )
      select (select max(external_id) from batch) as last, (select count(*) from marked) as deleted`),
  )
  return { deleted: Number(rows[0]?.deleted ?? 0), last: rows[0]?.last ?? null }
}

/** The newest change feed position of a connection's model (0 when it has no records). */
export async function latestSeq(db: Db, connectionId: string, model: string): Promise<number> {
  const rows = rowsOf<{ seq: string | number | null }>(await db.execute(sql`select max(seq) as seq from records where connection_id = ${connectionId} and model = ${model}`))
  return Number(rows[0]?.seq ?? 0)
}

/** Records of a connection's model after feed position `afterSeq`, in feed order. */
const feedColumns = {
  externalId: records.externalId,
  model: records.model,
  data: records.data,
  hash: records.hash,
  seq: records.seq,
  lastAction: records.lastAction,
  firstSeenAt: records.firstSeenAt,
  updatedAt: records.updatedAt,
  deletedAt: records.deletedAt,
}

/** A record as the change feed reads it (what the API shows, and its position). */
export type FeedRecord = Pick<RecordRow, keyof typeof feedColumns>

/** Records of a connection's model after feed position `afterSeq`, in feed order (only the columns the feed shows). */
export function listRecordChanges(db: Db, q: { connectionId: string; model: string; afterSeq: number; limit: number; modifiedAfter?: Date | undefined }): Promise<FeedRecord[]> {
  const where = [eq(records.connectionId, q.connectionId), eq(records.model, q.model), gt(records.seq, q.afterSeq)]
  if (q.modifiedAfter) where.push(gt(records.updatedAt, q.modifiedAfter))
  return db.select(feedColumns).from(records).where(and(...where)).orderBy(asc(records.seq)).limit(q.limit)
}

/** Counts of a connection's records per model (live and deleted). */
export async function countRecords(db: Db, connectionId: string): Promise<{ model: string; live: number; deleted: number }[]> {
  const rows = rowsOf<{ model: string; live: string | number; deleted: string | number }>(
    await db.execute(sql`select model, count(*) filter (where deleted_at is null) as live, count(*) filter (where deleted_at is not null) as deleted from records where connection_id = ${connectionId} group by model order by model`),
  )
  return rows.map((r) => ({ model: r.model, live: Number(r.live), deleted: Number(r.deleted) }))
}

/** `execute` returns `{ rows }` on PGlite and an array on postgres.js. */
export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[]
}

/**
 * One batch of a remap: the next `limit` live records after `after` (by external id) get a new feed
 * position and `action: updated`, so the feed emits them again in their new shape; their data is
 * not touched. @returns how many were moved and the last external id examined (null when none were left).
 */
export async function touchRecords(tx: Db, connectionId: string, model: string, after: string, limit: number): Promise<{ touched: number; last: string | null }> {
  // The batch is a key range, (after, the limit-th live id after it], updated by range: a join of
  // the batch to the table can be planned as a nested loop of sequential scans when the table's
  // statistics are stale (a connection's first sync, before autovacuum's analyze), which made a
  // 20,000-record remap take minutes (bench/sync.ts, remap phase); a range always uses the key.
  const rows = rowsOf<{ last: string | null; touched: string | number }>(
    await tx.execute(sql`
      with touched as (
        update records set seq = nextval('records_seq'), last_action = 'updated', updated_at = now()
        where connection_id = ${connectionId} and model = ${model} and external_id > ${after} and deleted_at is null
          and external_id <= (
            select max(external_id) from (
              select external_id from records
              where connection_id = ${connectionId} and model = ${model} and external_id > ${after} and deleted_at is null
              order by external_id limit ${limit}
            ) batch
          )
        returning external_id
      )
      select max(external_id) as last, count(*) as touched from touched`),
  )
  return { touched: Number(rows[0]?.touched ?? 0), last: rows[0]?.last ?? null }
}

/** The data (canonical JSON text) of a connection's most recently changed live records of a model. */
export async function latestRecordData(db: Db, connectionId: string, model: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ data: records.data })
    .from(records)
    .where(and(eq(records.connectionId, connectionId), eq(records.model, model), sql`${records.deletedAt} is null`))
    .orderBy(sql`${records.seq} desc`)
    .limit(limit)
  return rows.map((r) => r.data)
}
