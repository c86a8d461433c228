/**
 * The “Fields” section of a connection's card: each object the vendor maps to one of its models
 * (`Contacts → Contact`), whether it is mapped, and the way to the mapping screen. Nothing is
 * shown when there is nothing to map, or when the server predates mappings (404).
 */
import { useId } from 'react'
import { useQuery } from '@tanstack/react-query'
import { isNotFound, mappingTargetsQuery } from '../../api/queries'
import type { MappingStatus, MappingTarget } from '../../api/types'
import { Badge, type Tone } from '../../components/badge'
import { Button } from '../../components/button'
import { useWidget } from '../../context'
import { format } from '../../messages'

const TONES: Record<MappingStatus, Tone> = { custom: 'success', default: 'neutral', unmapped: 'warning' }

export function MappingTargets({ connectionId, onEdit }: { connectionId: string; onEdit: (target: MappingTarget) => void }) {
  const { api, messages } = useWidget()
  const m = messages.mapping
  const id = useId()
  const q = useQuery(mappingTargetsQuery(api, connectionId))
  if (q.isError && !q.data) return isNotFound(q.error) ? null : <p className="pb-muted pb-small pb-maps">{m.loadFailed}</p>
  if (!q.data?.length) return null
  return (
    <section className="pb-maps" aria-labelledby={id}>
      <h4 id={id} className="pb-syncs-title">
        {m.title}
      </h4>
      <ul role="list">
        {q.data.map((t) => (
          <li key={t.object} className="pb-sync" data-object={t.object} data-state={t.status}>
            <p id={`${id}-${t.object}`} className="pb-sync-text pb-sync-name">
              {format(m.target, { object: t.objectLabel, model: t.model.name })}
            </p>
            <Badge tone={TONES[t.status]}>{m[t.status]}</Badge>
            <Button size="sm" variant={t.status === 'unmapped' ? 'primary' : 'secondary'} aria-describedby={`${id}-${t.object}`} onClick={() => onEdit(t)}>
              {t.status === 'unmapped' ? m.map : m.edit}
            </Button>
          </li>
        ))}
      </ul>
    </section>
  )
}
