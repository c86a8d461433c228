/**
 * Keyset pages: a list query fetches `limit + 1` rows; the extra row only says that there is a
 * next page, whose cursor is made from the last row kept.
 * @example const rows = await q.list(db, { …, limit: limit + 1 }); return pageOf(rows, limit, (r) => r.id)
 */
export function pageOf<T>(rows: T[], limit: number, cursorOf: (last: T) => string): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit)
  const last = data[data.length - 1]
  return { data, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null }
}
