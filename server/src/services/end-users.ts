/** End users: the vendor's own users, identified by the vendor's id. */
import type { AppContext } from '../context'
import { listConnectionIdsOfEndUser } from '../db/queries/connections'
import * as q from '../db/queries/end-users'
import { notFound } from '../lib/errors'
import { deleteConnection } from './connections'
import { forgetEndUserSessions } from './connect-sessions'
import { pageOf } from '../lib/pages'

export type EndUserRow = q.EndUserRow

/** @throws {PatchbayError} `not_found`. */
export async function getEndUser(ctx: AppContext, environmentId: string, externalId: string): Promise<EndUserRow> {
  const u = await q.findEndUserByExternalId(ctx.db, environmentId, externalId)
  if (!u) throw notFound('End user', externalId)
  return u
}

/** A page of end users and the cursor of the next page. */
export async function listEndUsers(ctx: AppContext, environmentId: string, limit: number, cursor?: string): Promise<{ data: EndUserRow[]; nextCursor: string | null }> {
  const rows = await q.listEndUsers(ctx.db, environmentId, limit + 1, cursor)
  return pageOf(rows, limit, (r) => r.id)
}

/**
 * Deletes an end user: each connection is deleted first (revoking its tokens where the provider
 * supports RFC 7009), then the end user with their sessions.
 * @throws {PatchbayError} `not_found`.
 */
export async function deleteEndUser(ctx: AppContext, environmentId: string, externalId: string): Promise<{ connectionsDeleted: number }> {
  const u = await getEndUser(ctx, environmentId, externalId)
  const ids = await listConnectionIdsOfEndUser(ctx.db, u.id)
  for (const id of ids) await deleteConnection(ctx, environmentId, id)
  await q.deleteEndUser(ctx.db, u.id)
  forgetEndUserSessions(ctx, u.id)
  return { connectionsDeleted: ids.length }
}
