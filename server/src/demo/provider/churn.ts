import type { AccountData } from './crm-store.ts'
import { type Contact, type ContactFields, hash, LAST, LIFECYCLE_STAGES, parseSeq, pick, prng, randomContactFields, randomPhone } from './seed.ts'
import type { ChurnCounts, ChurnResult } from './types.ts'

/** Counts of `churnNow` when neither the call nor the `churn` option gives them. */
export const DEFAULT_CHURN_COUNTS: ChurnCounts = { updates: 5, deletes: 1, creates: 1 }

/** @throws RangeError unless every count is a non-negative safe integer. */
export function checkChurnCounts(counts: ChurnCounts, where: string): void {
  for (const name of ['updates', 'deletes', 'creates'] as const) {
    const v = counts[name]
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${where}: ${name} must be an integer >= 0`)
  }
}

/**
 * Changes the demo data the way people using a CRM would: edits, deletions, new contacts. The random
 * choices come from one PRNG per account, seeded by the account key, so a given sequence of steps is
 * reproducible (the timestamps are the clock's).
 */
export class Churner {
  readonly #random = new Map<string, () => number>()

  /**
   * One step in `account`: `updates` and `deletes` distinct live contacts (fewer if fewer are live)
   * and `creates` new ones, all stamped `at`.
   */
  step(account: AccountData, counts: ChurnCounts, at: Date = new Date()): ChurnResult {
    let rand = this.#random.get(account.key)
    if (!rand) {
      rand = prng(hash(`churn:${account.key}`))
      this.#random.set(account.key, rand)
    }
    const { contacts } = account
    const chosen = sample(rand, contacts.values(), counts.updates + counts.deletes)
    const updated = chosen.slice(0, counts.updates)
    const deleted = chosen.slice(counts.updates)
    for (const contact of updated) contacts.update(contact.id, change(rand, contact), at)
    for (const contact of deleted) contacts.remove(contact.id, at)
    const companies = account.companies.values()
    const created: string[] = []
    for (let i = 0; i < counts.creates; i++) {
      created.push(contacts.insert(randomContactFields(rand, parseSeq(contacts.nextId), companies), at).id)
    }
    return { accountKey: account.key, at: at.toISOString(), updated: updated.map((c) => c.id), deleted: deleted.map((c) => c.id), created }
  }
}

/** `n` distinct elements of `items` (all of them if there are fewer), by a partial Fisher–Yates shuffle. */
function sample<T>(rand: () => number, items: T[], n: number): T[] {
  const k = Math.min(n, items.length)
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (items.length - i))
    ;[items[i], items[j]] = [items[j] as T, items[i] as T]
  }
  return items.slice(0, k)
}

/** A patch that really changes one of the contact's lifecycle stage, phone or last name. */
function change(rand: () => number, contact: Contact): Partial<ContactFields> {
  const kind = Math.floor(rand() * 3)
  if (kind === 0) return { lifecycle_stage: pick(rand, LIFECYCLE_STAGES.filter((s) => s !== contact.lifecycle_stage)) }
  if (kind === 1) {
    let phone = randomPhone(rand)
    while (phone === contact.phone) phone = randomPhone(rand)
    return { phone }
  }
  return { last_name: pick(rand, LAST.filter((l) => l !== contact.last_name)) }
}
