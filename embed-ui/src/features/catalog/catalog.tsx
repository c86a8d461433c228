/**
 * The marketplace catalog: search, category filter, and a grid of integration cards with their
 * state ("Connected", "Reconnect needed", "Unavailable"…). Arrow keys move between cards.
 */
import { useId, useMemo, useState, type KeyboardEvent } from 'react'
import type { CatalogEntry, Connection } from '../../api/types'
import { Badge } from '../../components/badge'
import { Button } from '../../components/button'
import { Icon } from '../../components/icons'
import { Logo } from '../../components/logo'
import { useWidget } from '../../context'
import { fold } from '../../fold'
import { format } from '../../messages'
import { useOAuth } from '../connect/use-oauth-flow'
import { categoryName, integrationState, stateBadge } from '../integration-state'

export interface CatalogProps {
  entries: CatalogEntry[]
  connections: Connection[]
  onOpen: (key: string) => void
  hidden: boolean
}

/** Lower-case text without accents, for matching a search. */

export function Catalog({ entries, connections, onOpen, hidden }: CatalogProps) {
  const { messages: m, closable, emit } = useWidget()
  const flow = useOAuth()
  const [query, setQuery] = useState('')
  const [category, setCategory] = useState<string | null>(null)
  const titleId = useId()

  const categories = useMemo(() => [...new Set(entries.flatMap((e) => e.categories))].sort((a, b) => categoryName(a, m).localeCompare(categoryName(b, m))), [entries, m])
  const visible = useMemo(() => {
    const q = fold(query.trim())
    const matching = entries.filter((e) => (!category || e.categories.includes(category)) && (!q || fold([e.name, e.key, e.description, ...e.categories.map((c) => categoryName(c, m))].join(' ')).includes(q)))
    // What the end user can connect comes first; the sort is stable, so the server's order holds within each group.
    return matching.sort((a, b) => Number(b.enabled) - Number(a.enabled))
  }, [entries, query, category, m])

  /** Arrow keys, Home and End move between cards. */
  const onGridKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const cards = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('[data-pb-card]')]
    const i = cards.indexOf(e.target as HTMLButtonElement)
    if (i < 0) return
    const next = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: cards.length - 1 }[e.key]
    if (next === undefined) return
    e.preventDefault()
    cards[Math.max(0, Math.min(cards.length - 1, next))]?.focus()
  }

  return (
    <section className="pb-catalog" hidden={hidden} aria-labelledby={titleId} data-state={entries.length ? 'ready' : 'empty'}>
      <header className="pb-head">
        <div>
          <h2 id={titleId} className="pb-title">
            {m.catalog.title}
          </h2>
          {m.catalog.subtitle && <p className="pb-subtitle">{m.catalog.subtitle}</p>}
        </div>
        {closable && (
          <button type="button" className="pb-icon-btn" aria-label={m.catalog.close} onClick={() => emit('close', {})}>
            <Icon name="close" />
          </button>
        )}
      </header>

      {entries.length > 0 && (
        <div className="pb-toolbar">
          <div className="pb-search">
            <Icon name="search" />
            <input type="search" className="pb-input" aria-label={m.catalog.searchLabel} placeholder={m.catalog.searchPlaceholder} value={query} onChange={(e) => setQuery(e.target.value)} />
          </div>
          {categories.length > 1 && (
            <div className="pb-chips" role="group" aria-label={m.catalog.categoriesLabel}>
              {[null, ...categories].map((c) => (
                <button key={c ?? ''} type="button" className="pb-chip" aria-pressed={category === c} onClick={() => setCategory(c)}>
                  {c ? categoryName(c, m) : m.catalog.allCategories}
                </button>
              ))}
            </div>
          )}
        </div>
      )}

      {entries.length === 0 ? (
        <div className="pb-empty" data-state="empty">
          <p className="pb-empty-title">{m.catalog.empty}</p>
          <p>{m.catalog.emptyHint}</p>
        </div>
      ) : visible.length === 0 ? (
        <div className="pb-empty" data-state="no-results" role="status">
          <p className="pb-empty-title">{format(m.catalog.noResults, { query: query.trim() })}</p>
          <Button
            onClick={() => {
              setQuery('')
              setCategory(null)
            }}
          >
            {m.catalog.clearFilters}
          </Button>
        </div>
      ) : (
        <ul className="pb-grid" role="list" onKeyDown={onGridKeyDown}>
          {visible.map((entry) => {
            const mine = connections.filter((c) => c.integration === entry.key)
            const state = integrationState(entry, mine, flow.state?.phase === 'authorizing' && flow.state.request.integration === entry.key)
            const badge = stateBadge(state, mine, m)
            const id = `${titleId}-${entry.key}`
            return (
              <li key={entry.key}>
                <button
                  type="button"
                  className="pb-card"
                  data-pb-card=""
                  data-integration={entry.key}
                  data-state={state}
                  aria-label={entry.name}
                  aria-describedby={badge ? `${id}-status ${id}-desc` : `${id}-desc`}
                  onClick={() => onOpen(entry.key)}
                >
                  <span className="pb-card-top">
                    <Logo svg={entry.logo} />
                    {badge && (
                      <Badge id={`${id}-status`} tone={badge.tone}>
                        {badge.label}
                      </Badge>
                    )}
                  </span>
                  <span className="pb-card-name">{entry.name}</span>
                  <span id={`${id}-desc`} className="pb-card-desc">
                    {entry.description}
                  </span>
                  {entry.categories.length > 0 && <span className="pb-card-cats">{entry.categories.map((c) => categoryName(c, m)).join(' · ')}</span>}
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
