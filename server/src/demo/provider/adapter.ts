import type { Adapter, AdapterPayload } from 'oidc-provider'

/** Models whose records are indexed by `grantId`, so revoking a grant removes them all. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'])

interface Entry {
  payload: AdapterPayload
  /** Epoch milliseconds after which the record is gone; `Infinity` when it never expires. */
  expiresAt: number
}

/**
 * One in-memory store shared by every model of one provider instance.
 *
 * oidc-provider's bundled `MemoryAdapter` keeps a single process-wide LRU of 1,000 entries, so two
 * demo providers in one test process would share state and a benchmark that mints many tokens would
 * evict live ones. This store is per provider, unbounded (expired entries are swept lazily), and
 * reports removals so the REST API can drop cached token lookups at once (RFC 7009 §2: a revoked
 * token must stop working).
 */
export class MemoryStore {
  readonly #entries = new Map<string, Entry>()
  readonly #grants = new Map<string, Set<string>>()
  readonly #uids = new Map<string, string>()
  #writes = 0

  /** @param onRemoved called with `(model, id)` whenever a record is destroyed or revoked with its grant. */
  constructor(private readonly onRemoved: (model: string, id: string) => void = () => {}) {}

  /** Returns an `adapter` factory for `new Provider(issuer, { adapter })`. */
  factory(): (model: string) => Adapter {
    return (model) => new StoreAdapter(model, this)
  }

  get(model: string, id: string): AdapterPayload | undefined {
    const key = `${model}:${id}`
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= Date.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return entry.payload
  }

  set(model: string, id: string, payload: AdapterPayload, expiresIn?: number): void {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Infinity
    this.#entries.set(`${model}:${id}`, { payload, expiresAt })
    if (GRANTABLE.has(model) && payload.grantId) {
      let members = this.#grants.get(payload.grantId)
      if (!members) this.#grants.set(payload.grantId, (members = new Set()))
      members.add(`${model}:${id}`)
    }
    if (model === 'Session' && payload.uid) this.#uids.set(payload.uid, id)
    if (++this.#writes % 1000 === 0) this.#sweep()
  }

  delete(model: string, id: string): void {
    const key = `${model}:${id}`
    const entry = this.#entries.get(key)
    this.#entries.delete(key)
    if (entry?.payload.grantId) this.#grants.get(entry.payload.grantId)?.delete(key)
    if (entry?.payload.uid && this.#uids.get(entry.payload.uid) === id) this.#uids.delete(entry.payload.uid)
    this.onRemoved(model, id)
  }

  idForUid(uid: string): string | undefined {
    return this.#uids.get(uid)
  }

  revokeGrant(grantId: string): void {
    const members = this.#grants.get(grantId)
    this.#grants.delete(grantId)
    for (const key of members ?? []) {
      this.#entries.delete(key)
      const sep = key.indexOf(':')
      this.onRemoved(key.slice(0, sep), key.slice(sep + 1))
    }
  }

  #sweep(): void {
    const now = Date.now()
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now) continue
      this.#entries.delete(key)
      if (entry.payload.grantId) this.#grants.get(entry.payload.grantId)?.delete(key)
    }
    for (const [grantId, members] of this.#grants) if (members.size === 0) this.#grants.delete(grantId)
  }
}

/** The oidc-provider `Adapter` interface over a {@link MemoryStore}, one instance per model name. */
class StoreAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly store: MemoryStore,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    this.store.set(this.model, id, payload, expiresIn)
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.store.get(this.model, id)
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    const id = this.store.idForUid(uid)
    return id === undefined ? undefined : this.store.get(this.model, id)
  }

  async findByUserCode(): Promise<undefined> {
    return undefined
  }

  async consume(id: string): Promise<void> {
    const payload = this.store.get(this.model, id)
    if (payload) payload.consumed = Math.floor(Date.now() / 1000)
  }

  async destroy(id: string): Promise<void> {
    this.store.delete(this.model, id)
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.store.revokeGrant(grantId)
  }
}
