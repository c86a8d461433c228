/**
 * Acme CRM's own copy of its users' CRM records, kept up to date from Patchbay's records change
 * feed (`patchbay.records.pages`) — what a vendor stores in its database, here in memory.
 *
 * Per connection and model it keeps the records and the feed cursor it has read up to. Reading
 * always starts from that cursor (from the beginning for a connection it does not know), never
 * from the cursor a webhook carries: a lost, late or repeated webhook then costs nothing, since
 * the next read picks up every change since the last one applied. Reads of one connection and
 * model run one after the other, so two webhooks arriving together cannot apply a page twice or
 * move the cursor back.
 */
import { PatchbayError, type Patchbay, type SyncedRecord } from '../../../../sdk/src/index'

/** The connector models Acme copies (`demo-crm` objects). */
export const COPIED_MODELS = ['contact', 'company'] as const
export type CopiedModel = (typeof COPIED_MODELS)[number]

export const isCopiedModel = (model: unknown): model is CopiedModel => COPIED_MODELS.includes(model as CopiedModel)

/** A contact as Acme shows it, from its own copy. */
export interface LocalContact {
  id: string
  firstName: string
  lastName: string
  email: string
  /** Acme's stage (`prospect`, `qualified`, `customer`) when mapped, else the CRM's own stage. */
  stage: string
  /** The field mapping version that shaped it into Acme's `Contact`, or `null`: still in the CRM's shape (not mapped yet). */
  mappingVersion: number | null
  /**
   * When it last changed: the CRM's `updated_at`, or for a deleted contact when Patchbay saw the
   * deletion (ISO 8601).
   */
  changedAt: string
  /** The last change Patchbay recorded: `added`, `updated` or `deleted`. */
  change: SyncedRecord['action']
  deleted: boolean
}

interface ModelCopy {
  /** `nextCursor` of the last page applied; `undefined`: nothing read yet (the next read starts at the beginning). */
  cursor: string | undefined
  records: Map<string, SyncedRecord>
  /** When a read last finished (ISO 8601). */
  readAt: string | null
}

interface ConnectionCopy {
  models: Map<CopiedModel, ModelCopy>
  /** The tail of the queue of feed reads, per model. */
  reads: Map<CopiedModel, Promise<void>>
}

/** What one read applied. */
export interface ReadResult {
  added: number
  updated: number
  deleted: number
  pages: number
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

export class LocalCopy {
  readonly #connections = new Map<string, ConnectionCopy>()

  constructor(private readonly patchbay: Patchbay) {}

  /** Whether Acme has a copy (possibly still empty) of this connection's records. */
  knows(connectionId: string): boolean {
    return this.#connections.has(connectionId)
  }

  /** The connections Acme keeps a copy of. */
  connectionIds(): string[] {
    return [...this.#connections.keys()]
  }

  /** Starts an (empty) copy of a connection, e.g. on `connection.created`, before its first sync. */
  track(connectionId: string): void {
    this.#copy(connectionId)
  }

  /** Forgets a connection's records, e.g. on `connection.deleted`. Reads in progress finish into nothing. */
  forget(connectionId: string): void {
    this.#connections.delete(connectionId)
  }

  /**
   * Reads the change feed of a connection's model from the stored cursor until it is caught up and
   * applies every page. Queued behind a read of the same connection and model already running.
   * A connection Patchbay no longer knows (`not_found`) is forgotten.
   * @throws {PatchbayError} when Patchbay fails; the cursor then stays after the last page applied.
   */
  catchUp(connectionId: string, model: CopiedModel): Promise<ReadResult> {
    const conn = this.#copy(connectionId)
    const previous = conn.reads.get(model) ?? Promise.resolve()
    const read = previous.then(() => this.#read(connectionId, conn, model))
    conn.reads.set(
      model,
      read.then(
        () => undefined,
        () => undefined,
      ),
    )
    return read
  }

  /** Reads every copied model of a connection. */
  async catchUpAll(connectionId: string): Promise<void> {
    await Promise.all(COPIED_MODELS.map((m) => this.catchUp(connectionId, m)))
  }

  /** Counts of a connection's copy of `model`: live records and deleted ones kept as tombstones. */
  count(connectionId: string, model: CopiedModel): { live: number; deleted: number } {
    let live = 0
    let deleted = 0
    for (const r of this.#connections.get(connectionId)?.models.get(model)?.records.values() ?? []) {
      if (r.deletedAt) deleted++
      else live++
    }
    return { live, deleted }
  }

  /** When the copy of `model` was last read up to date, or `null` before the first read. */
  readAt(connectionId: string, model: CopiedModel): string | null {
    return this.#connections.get(connectionId)?.models.get(model)?.readAt ?? null
  }

  /** The `limit` contacts that changed last, deleted ones included (marked). */
  recentContacts(connectionId: string, limit: number): LocalContact[] {
    const records = this.#connections.get(connectionId)?.models.get('contact')?.records.values() ?? []
    return [...records]
      .map(toContact)
      .sort((a, b) => (a.changedAt < b.changedAt ? 1 : a.changedAt > b.changedAt ? -1 : a.id < b.id ? 1 : -1))
      .slice(0, limit)
  }

  #copy(connectionId: string): ConnectionCopy {
    let conn = this.#connections.get(connectionId)
    if (!conn) {
      conn = { models: new Map(), reads: new Map() }
      this.#connections.set(connectionId, conn)
    }
    return conn
  }

  async #read(connectionId: string, conn: ConnectionCopy, model: CopiedModel): Promise<ReadResult> {
    let copy = conn.models.get(model)
    if (!copy) {
      copy = { cursor: undefined, records: new Map(), readAt: null }
      conn.models.set(model, copy)
    }
    const result: ReadResult = { added: 0, updated: 0, deleted: 0, pages: 0 }
    try {
      const params = { connectionId, model, limit: 500, ...(copy.cursor ? { cursor: copy.cursor } : {}) }
      for await (const page of this.patchbay.records.pages(params)) {
        for (const record of page.data) {
          const known = copy.records.get(record.id)
          if (record.deletedAt) result.deleted++
          else if (known && !known.deletedAt) result.updated++
          else result.added++
          copy.records.set(record.id, record)
        }
        // Stored after the page is applied: a failure in the middle resumes from here.
        copy.cursor = page.nextCursor
        result.pages++
      }
      copy.readAt = new Date().toISOString()
      return result
    } catch (err) {
      if (err instanceof PatchbayError && err.code === 'not_found' && this.#connections.get(connectionId) === conn) this.forget(connectionId)
      throw err
    }
  }
}

/** A record as Acme shows it: in Acme's `Contact` shape when a mapping is in effect, else read from the CRM's own fields. */
function toContact(r: SyncedRecord): LocalContact {
  const d = r.data
  const mapped = r.mapping?.model === 'Contact'
  return {
    id: r.id,
    firstName: str(mapped ? d.firstName : d.first_name),
    lastName: str(mapped ? d.lastName : d.last_name),
    email: str(d.email),
    stage: str(mapped ? d.stage : d.lifecycle_stage),
    mappingVersion: mapped ? r.mapping!.version : null,
    changedAt: r.deletedAt ?? (mapped ? r.updatedAt : str(d.updated_at) || r.updatedAt),
    change: r.action,
    deleted: r.deletedAt !== null,
  }
}
