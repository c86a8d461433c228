import { type Company, type Contact, formatId, parseSeq, seedCompanies, seedContacts } from './seed.ts'

/** One page of a list endpoint: `next_cursor` is `null` on the last page. */
export interface Page<T> {
  data: T[]
  next_cursor: string | null
}

/**
 * What a deleted record leaves behind, listed only on request (`include_deleted=true`). `updated_at`
 * is the deletion time, so an `updated_since` filter finds the deletion like any other change.
 */
export interface Tombstone {
  id: string
  deleted: true
  deleted_at: string
  updated_at: string
}

/** Options of {@link Collection.list}. `after` is the decoded cursor (the last id already seen). */
export interface ListOptions {
  limit: number
  after?: string
  /** ISO 8601 instant (normalised by `toISOString`); keeps records with `updated_at >= updatedSince`. */
  updatedSince?: string
  /** Lists the tombstones of deleted records too, in their place in the id order. */
  includeDeleted?: boolean
}

/** Opaque cursor for keyset pagination: base64url of the last id returned. */
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url')

/** Inverse of {@link encodeCursor}; returns `undefined` for anything that is not a cursor we made. */
export function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  return Number.isInteger(parseSeq(id)) ? id : undefined
}

const isTombstone = (entry: { id: string }): entry is Tombstone => (entry as Partial<Tombstone>).deleted === true

/**
 * Records of one type for one account, kept sorted by id sequence so keyset pagination is a binary
 * search plus a scan. New records get the next sequence number, so the order never changes; a
 * deleted record is replaced in place by its {@link Tombstone}, so deletions keep the order too.
 *
 * A page scans from the cursor until it has `limit` matches and has seen whether one more exists:
 * a whole walk over the list reads each entry about once, whatever `updatedSince` keeps.
 */
export class Collection<T extends { id: string; updated_at: string }> {
  /** Live records and tombstones, ascending by id sequence. */
  readonly #entries: (T | Tombstone)[]
  readonly #live = new Map<string, T>()
  #nextSeq: number

  constructor(
    private readonly prefix: string,
    private readonly width: number,
    seeded: T[],
  ) {
    this.#entries = seeded
    for (const item of seeded) this.#live.set(item.id, item)
    this.#nextSeq = seeded.length + 1
  }

  /** Number of live records. */
  get size(): number {
    return this.#live.size
  }

  /** Number of tombstones. */
  get deletedCount(): number {
    return this.#entries.length - this.#live.size
  }

  /** The id the next {@link insert} gives. */
  get nextId(): string {
    return formatId(this.prefix, this.#nextSeq, this.width)
  }

  /** A live record; `undefined` once deleted. */
  get(id: string): T | undefined {
    return this.#live.get(id)
  }

  /** The live records, in id order. */
  values(): T[] {
    return this.#entries.filter((entry): entry is T => !isTombstone(entry))
  }

  list(options: ListOptions & { includeDeleted: true }): Page<T | Tombstone>
  list(options: ListOptions & { includeDeleted?: false }): Page<T>
  list(options: ListOptions): Page<T | Tombstone>
  list({ limit, after, updatedSince, includeDeleted = false }: ListOptions): Page<T | Tombstone> {
    const entries = this.#entries
    const keep = (entry: T | Tombstone) =>
      (includeDeleted || !isTombstone(entry)) && (updatedSince === undefined || entry.updated_at >= updatedSince)
    let i = after === undefined ? 0 : this.#firstAfter(parseSeq(after))
    const data: (T | Tombstone)[] = []
    for (; i < entries.length && data.length < limit; i++) {
      const entry = entries[i] as T | Tombstone
      if (keep(entry)) data.push(entry)
    }
    while (i < entries.length && !keep(entries[i] as T | Tombstone)) i++
    const last = data.at(-1)
    return { data, next_cursor: i < entries.length && last ? encodeCursor(last.id) : null }
  }

  /** Adds a record with the next id; `created_at` and `updated_at` are `at`. */
  insert(fields: Omit<T, 'id' | 'created_at' | 'updated_at'>, at: Date = new Date()): T {
    const now = at.toISOString()
    const item = { ...fields, id: formatId(this.prefix, this.#nextSeq++, this.width), created_at: now, updated_at: now } as unknown as T
    this.#entries.push(item)
    this.#live.set(item.id, item)
    return item
  }

  /** Patches a live record in place and sets `updated_at` to `at`; `undefined` when there is none. */
  update(id: string, patch: Partial<Omit<T, 'id' | 'created_at' | 'updated_at'>>, at: Date = new Date()): T | undefined {
    const item = this.#live.get(id)
    if (!item) return undefined
    Object.assign(item, patch, { updated_at: at.toISOString() })
    return item
  }

  /** Deletes a live record, leaving a tombstone dated `at`; `false` when there was none. */
  remove(id: string, at: Date = new Date()): boolean {
    if (!this.#live.delete(id)) return false
    const when = at.toISOString()
    this.#entries[this.#firstAfter(parseSeq(id) - 1)] = { id, deleted: true, deleted_at: when, updated_at: when }
    return true
  }

  /** Index of the first entry whose sequence number is greater than `seq`. */
  #firstAfter(seq: number): number {
    let lo = 0
    let hi = this.#entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (parseSeq((this.#entries[mid] as T | Tombstone).id) <= seq) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}

/** A stored response for an `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header §2). */
export interface IdempotentResult {
  fingerprint: string
  status: number
  body: unknown
}

/** Everything the CRM holds for one connected account (a user, a client, or an API key). */
export interface AccountData {
  key: string
  label: string
  contacts: Collection<Contact>
  companies: Collection<Company>
  idempotency: Map<string, IdempotentResult>
}

/** Lazily seeded, in-memory data of every account, keyed by account key (`user:ada`, `client:x`, `key:1`). */
export class CrmStore {
  readonly #accounts = new Map<string, AccountData>()

  constructor(private readonly contactsPerAccount: number) {}

  /** The accounts seeded so far (each on its first API request, or by churn naming it). */
  accounts(): IterableIterator<AccountData> {
    return this.#accounts.values()
  }

  account(key: string, label: string): AccountData {
    let account = this.#accounts.get(key)
    if (!account) {
      const companies = seedCompanies(key)
      account = {
        key,
        label,
        companies: new Collection('co', 3, companies),
        contacts: new Collection('ct', 4, seedContacts(key, this.contactsPerAccount, companies)),
        idempotency: new Map(),
      }
      this.#accounts.set(key, account)
    }
    return account
  }
}
