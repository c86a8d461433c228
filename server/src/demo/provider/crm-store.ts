import { type Company, type Contact, formatId, parseSeq, seedCompanies, seedContacts } from './seed.ts'

/** One page of a list endpoint: `next_cursor` is `null` on the last page. */
export interface Page<T> {
  data: T[]
  next_cursor: string | null
}

/** Options of {@link Collection.list}. `after` is the decoded cursor (the last id already seen). */
export interface ListOptions {
  limit: number
  after?: string
  /** ISO 8601 instant (normalised by `toISOString`); keeps records with `updated_at >= updatedSince`. */
  updatedSince?: string
}

/** Opaque cursor for keyset pagination: base64url of the last id returned. */
export const encodeCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url')

/** Inverse of {@link encodeCursor}; returns `undefined` for anything that is not a cursor we made. */
export function decodeCursor(cursor: string): string | undefined {
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  return Number.isInteger(parseSeq(id)) ? id : undefined
}

/**
 * Records of one type for one account, kept sorted by id sequence so keyset pagination is a binary
 * search plus a slice. New records get the next sequence number, so the order never changes.
 */
export class Collection<T extends { id: string; updated_at: string }> {
  readonly #items: T[]
  readonly #byId = new Map<string, T>()
  #nextSeq: number

  constructor(
    private readonly prefix: string,
    private readonly width: number,
    seeded: T[],
  ) {
    this.#items = seeded
    for (const item of seeded) this.#byId.set(item.id, item)
    this.#nextSeq = seeded.length + 1
  }

  get size(): number {
    return this.#items.length
  }

  get(id: string): T | undefined {
    return this.#byId.get(id)
  }

  list({ limit, after, updatedSince }: ListOptions): Page<T> {
    let i = after === undefined ? 0 : this.#firstAfter(parseSeq(after))
    const data: T[] = []
    for (; i < this.#items.length && data.length < limit; i++) {
      const item = this.#items[i] as T
      if (updatedSince === undefined || item.updated_at >= updatedSince) data.push(item)
    }
    let more = false
    for (; i < this.#items.length; i++) {
      const item = this.#items[i] as T
      if (updatedSince === undefined || item.updated_at >= updatedSince) {
        more = true
        break
      }
    }
    const last = data.at(-1)
    return { data, next_cursor: more && last ? encodeCursor(last.id) : null }
  }

  insert(fields: Omit<T, 'id' | 'created_at' | 'updated_at'>): T {
    const now = new Date().toISOString()
    const item = { ...fields, id: formatId(this.prefix, this.#nextSeq++, this.width), created_at: now, updated_at: now } as unknown as T
    this.#items.push(item)
    this.#byId.set(item.id, item)
    return item
  }

  update(id: string, patch: Partial<Omit<T, 'id' | 'created_at' | 'updated_at'>>): T | undefined {
    const item = this.#byId.get(id)
    if (!item) return undefined
    Object.assign(item, patch, { updated_at: new Date().toISOString() })
    return item
  }

  remove(id: string): boolean {
    if (!this.#byId.delete(id)) return false
    this.#items.splice(this.#firstAfter(parseSeq(id) - 1), 1)
    return true
  }

  /** Index of the first item whose sequence number is greater than `seq`. */
  #firstAfter(seq: number): number {
    let lo = 0
    let hi = this.#items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (parseSeq((this.#items[mid] as T).id) <= seq) lo = mid + 1
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
