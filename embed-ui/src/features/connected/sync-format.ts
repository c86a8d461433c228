/** Plain words for syncs: their names, what the last run did, and the frequencies to choose from. */
import { isSyncing } from '../../api/queries'
import type { Sync } from '../../api/types'
import { formatRelative } from '../../format-time'
import { format, type Messages } from '../../messages'

const UNIT_MS = { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }

/**
 * A frequency in milliseconds; `NaN` when it is not `<n>s|m|h|d` (as `server/src/services/syncs.ts` reads them).
 * @example frequencyMs('15m') // 900000
 */
export function frequencyMs(f: string): number {
  const x = /^(\d{1,6})([smhd])$/.exec(f)
  return x ? Number(x[1]) * UNIT_MS[x[2] as keyof typeof UNIT_MS] : NaN
}

/** The frequencies end users are usually offered. */
export const FREQUENCY_CHOICES = ['15m', '30m', '1h', '6h', '12h', '1d', '7d']

/**
 * The usual choices within `[min, max]`, and the current value (unless a choice means the same
 * time, e.g. `60m` and `1h`), shortest first.
 */
export function frequencyOptions(current: string, bounds: { min: string; max: string }): string[] {
  const min = frequencyMs(bounds.min)
  const max = frequencyMs(bounds.max)
  const now = frequencyMs(current)
  const ms = (f: string) => frequencyMs(f) || 0
  return [...FREQUENCY_CHOICES.filter((f) => ms(f) >= min && ms(f) <= max && ms(f) !== now), current].sort((a, b) => ms(a) - ms(b))
}

const LABEL_UNITS = [
  ['week', 7 * 864e5],
  ['day', 864e5],
  ['hour', 36e5],
  ['minute', 6e4],
] as const

/**
 * A frequency in words, in the largest whole unit: `1h` and `60m` are both “Every hour”.
 * @example frequencyLabel('6h', m.syncs.every) // 'Every 6 hours'
 */
export function frequencyLabel(f: string, every: Messages['syncs']['every']): string {
  const ms = frequencyMs(f)
  if (!ms) return f
  for (const [unit, size] of LABEL_UNITS) if (ms % size === 0) return ms === size ? every[unit] : format(every[`${unit}s` as const], { n: ms / size })
  return format(every.seconds, { n: ms / 1000 })
}

/**
 * The display name of a sync: from the messages (`syncNames`), else its name in words.
 * @example syncName('open_deals', {}) // 'Open deals'
 */
export function syncName(name: string, names: Record<string, string>): string {
  if (Object.hasOwn(names, name) && typeof names[name] === 'string') return names[name]
  const words = name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/[\s_.-]+/g, ' ')
    .trim()
    .toLowerCase()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export type SyncState = 'syncing' | 'paused' | 'failed' | 'synced' | 'pending'

/**
 * What a sync is doing, or what its last run did, in one line: “Synced 3 minutes ago · 4 added,
 * 2 updated”, “Sync failed: …”, “Syncing…”, “Paused”. `now` is when the data was fetched.
 */
export function describeSync(s: Sync, m: Messages, locale: string | undefined, now: number): { state: SyncState; text: string } {
  const t = m.syncs
  const run = s.lastRun
  if (isSyncing(s)) return { state: 'syncing', text: t.syncing }
  if (s.status === 'paused') return { state: 'paused', text: t.paused }
  if (run?.status === 'failed') return { state: 'failed', text: run.error?.message ? format(t.failed, { reason: run.error.message }) : t.failedUnknown }
  const ok = run?.status === 'succeeded' ? run : null
  const at = ok?.finishedAt ?? s.lastSucceededAt
  if (!at) return { state: 'pending', text: t.notYet }
  const when = formatRelative(at, locale, now)
  if (!ok) return { state: 'synced', text: format(t.synced, { when }) }
  const parts = (['added', 'updated', 'deleted'] as const).filter((k) => ok[k] > 0).map((k) => format(t[k], { n: ok[k].toLocaleString(locale) }))
  const changes = parts.length ? new Intl.ListFormat(locale, { style: 'short', type: 'unit' }).format(parts) : t.noChanges
  return { state: 'synced', text: format(t.syncedChanges, { when, changes }) }
}
