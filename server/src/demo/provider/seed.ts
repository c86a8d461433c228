/**
 * Deterministic fake CRM data. The same account key and count always give byte-identical records,
 * so tests can assert on exact values and sync runs are reproducible.
 */

/** A CRM contact as the REST API returns it. Timestamps are ISO 8601 UTC strings. */
export interface Contact {
  id: string
  first_name: string
  last_name: string
  email: string
  company_id: string | null
  lifecycle_stage: LifecycleStage
  phone: string | null
  created_at: string
  updated_at: string
}

/** A CRM company as the REST API returns it. */
export interface Company {
  id: string
  name: string
  domain: string
  industry: string
  created_at: string
  updated_at: string
}

export const LIFECYCLE_STAGES = ['lead', 'opportunity', 'customer'] as const
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number]

/** Number of companies seeded per account. */
export const COMPANIES_PER_ACCOUNT = 20

const FIRST = ['Ada', 'Alan', 'Barbara', 'Claude', 'Dorothy', 'Edsger', 'Frances', 'Grace', 'Hedy', 'Ivan', 'Joan', 'Ken', 'Katherine', 'Linus', 'Margaret', 'Niklaus', 'Radia', 'Sophie', 'Tim', 'Whitfield']
/** Last names of seeded contacts (churn picks new ones from here too). */
export const LAST = ['Lovelace', 'Turing', 'Liskov', 'Shannon', 'Vaughan', 'Dijkstra', 'Allen', 'Hopper', 'Lamarr', 'Sutherland', 'Clarke', 'Thompson', 'Johnson', 'Torvalds', 'Hamilton', 'Wirth', 'Perlman', 'Wilson', 'Berners-Lee', 'Diffie']
const PREFIX = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent', 'Aperture', 'Wonka', 'Gringotts', 'Oscorp', 'Monarch']
const SUFFIX = ['Analytics', 'Labs', 'Logistics', 'Foods', 'Robotics', 'Health', 'Capital', 'Media', 'Energy', 'Systems']
const INDUSTRIES = ['software', 'manufacturing', 'retail', 'finance', 'healthcare', 'logistics', 'media', 'energy']

/** Seeded timestamps lie between these instants, never "now", so output does not depend on the clock. */
const EPOCH = Date.UTC(2024, 0, 1)
const SPAN_MS = 500 * 24 * 3600 * 1000

/** FNV-1a 32-bit hash of a string. */
export function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** One element of `list`, chosen with `rand`. */
export const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T

/** A phone number `+1-555-NNNN`. */
export const randomPhone = (rand: () => number): string => `+1-555-${String(Math.floor(rand() * 10_000)).padStart(4, '0')}`

/** Formats a record id: `prefix_` plus the sequence number zero-padded to `width` digits. */
export function formatId(prefix: string, seq: number, width: number): string {
  return `${prefix}_${String(seq).padStart(width, '0')}`
}

/** Returns the sequence number inside an id made by {@link formatId}, or `NaN`. */
export function parseSeq(id: string): number {
  const m = /^[a-z]+_(\d{1,9})$/.exec(id)
  return m ? Number(m[1]) : NaN
}

/** A created/updated pair: created somewhere in the span, updated at or after it. */
function timestamps(rand: () => number): { created_at: string; updated_at: string } {
  const created = EPOCH + Math.floor(rand() * SPAN_MS * 0.7)
  const updated = created + Math.floor(rand() * SPAN_MS * 0.3)
  return { created_at: new Date(created).toISOString(), updated_at: new Date(updated).toISOString() }
}

/** The companies of one account, ids `co_001`… sorted ascending. */
export function seedCompanies(accountKey: string): Company[] {
  const rand = prng(hash(`companies:${accountKey}`))
  const names = new Set<string>()
  while (names.size < COMPANIES_PER_ACCOUNT) names.add(`${pick(rand, PREFIX)} ${pick(rand, SUFFIX)}`)
  return [...names].map((name, i) => ({
    id: formatId('co', i + 1, 3),
    name,
    domain: `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.test`,
    industry: pick(rand, INDUSTRIES),
    ...timestamps(rand),
  }))
}

/** The writable fields of a contact (everything but id and timestamps). */
export type ContactFields = Omit<Contact, 'id' | 'created_at' | 'updated_at'>

/**
 * Random fields of the contact with sequence number `seq`: a name from the seed lists, usually a
 * company (the email is at its domain) and usually a phone. Shared by the seed and churn.
 */
export function randomContactFields(rand: () => number, seq: number, companies: readonly Company[]): ContactFields {
  const first = pick(rand, FIRST)
  const last = pick(rand, LAST)
  const company = rand() < 0.9 ? pick(rand, companies) : undefined
  const domain = company?.domain ?? 'example.test'
  return {
    first_name: first,
    last_name: last,
    email: `${first}.${last}.${seq}@${domain}`.toLowerCase(),
    company_id: company?.id ?? null,
    lifecycle_stage: pick(rand, LIFECYCLE_STAGES),
    phone: rand() < 0.8 ? randomPhone(rand) : null,
  }
}

/** `count` contacts of one account, ids `ct_0001`… sorted ascending, each linked to a seeded company. */
export function seedContacts(accountKey: string, count: number, companies: readonly Company[]): Contact[] {
  const rand = prng(hash(`contacts:${accountKey}`))
  const contacts: Contact[] = []
  for (let i = 1; i <= count; i++) {
    contacts.push({ id: formatId('ct', i, 4), ...randomContactFields(rand, i, companies), ...timestamps(rand) })
  }
  return contacts
}
