/**
 * The records change feed: a connection's records of one model in the order they changed, read
 * page by page with an opaque cursor (`GET /v1/records`). A reader stores `nextCursor` and asks
 * again later to get only what changed since; a deleted record appears once more, with `deletedAt`.
 */
import type { AppContext } from '../context'
import { listRecordChanges, type FeedRecord } from '../db/queries/records'
import type { RecordAction } from '../db/schema/index'
import { PatchbayError } from '../lib/errors'
import { applyMapping } from '../mapping/apply'
import { mappingForRecords } from './mappings'

/** Feed cursors are `base64url("v1:<seq>")`: opaque to readers, versioned for us. */
export function encodeFeedCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`).toString('base64url')
}

/** @throws {PatchbayError} `invalid_request` when the cursor was not made by {@link encodeFeedCursor}. */
export function decodeFeedCursor(cursor: string): number {
  const m = /^v1:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))
  if (!m) throw new PatchbayError('invalid_request', 'The cursor is not valid', { errors: [{ path: 'cursor', message: 'use nextCursor from a previous page or changes.cursor from a webhook' }] })
  return Number(m[1])
}

/** A record as the API returns it. */
export interface PublicRecord {
  /** The provider's id. */
  id: string
  model: string
  /** What the last change was. */
  action: RecordAction
  /** The record in your model's shape when a field mapping is in effect, else as the provider returned it. */
  data: Record<string, unknown>
  /** The mapping that shaped `data` (null: none, `data` is the provider's record), with the fields it could not fill. */
  mapping: { model: string; version: number; errors: { field: string; message: string }[] } | null
  /** The provider's record, when asked for (`includeRaw`) and a mapping shaped `data`. */
  raw?: Record<string, unknown>
  /** SHA-256 (base64url) of the canonical JSON of `data`. */
  hash: string
  firstSeenAt: string
  updatedAt: string
  deletedAt: string | null
}

/** The public view of a record, shaped by `shape` when a mapping is in effect. */
export function recordOut(r: FeedRecord, shape: Awaited<ReturnType<typeof mappingForRecords>> = null, includeRaw = false): PublicRecord {
  const raw = JSON.parse(r.data) as Record<string, unknown>
  const base = { id: r.externalId, model: r.model, action: r.lastAction, hash: r.hash, firstSeenAt: r.firstSeenAt.toISOString(), updatedAt: r.updatedAt.toISOString(), deletedAt: r.deletedAt?.toISOString() ?? null }
  if (!shape) return { ...base, data: raw, mapping: null }
  const mapped = applyMapping(shape.model, shape.mapping, raw)
  return { ...base, data: mapped.value, mapping: { model: shape.row.model, version: shape.row.version, errors: mapped.errors.map((e) => ({ field: e.field, message: e.message })) }, ...(includeRaw ? { raw } : {}) }
}

/**
 * A page of the change feed of a connection's model.
 * @returns the records and `nextCursor` to continue from: after the last record returned, or the
 *   given cursor when nothing changed (so a reader can always store it); `hasMore` when the page was full.
 * @throws {PatchbayError} `not_found` when the connection is not in the environment; `invalid_request` for a bad cursor.
 */
export async function listRecords(ctx: AppContext, environmentId: string, input: { connectionId: string; model: string; cursor?: string | undefined; modifiedAfter?: string | undefined; limit?: number | undefined; includeRaw?: boolean | undefined }): Promise<{ data: PublicRecord[]; nextCursor: string; hasMore: boolean }> {
  await ctx.credentials.get(environmentId, input.connectionId)
  const shape = await mappingForRecords(ctx, environmentId, input.connectionId, input.model)
  const afterSeq = input.cursor ? decodeFeedCursor(input.cursor) : 0
  const limit = input.limit ?? 100
  const rows = await listRecordChanges(ctx.db, { connectionId: input.connectionId, model: input.model, afterSeq, limit, modifiedAfter: input.modifiedAfter ? new Date(input.modifiedAfter) : undefined })
  const last = rows.at(-1)
  return { data: rows.map((r) => recordOut(r, shape, input.includeRaw)), nextCursor: encodeFeedCursor(last ? last.seq : afterSeq), hasMore: rows.length === limit }
}
