/**
 * Where a vendor field's value comes from: an editable combobox with a listbox popup (WAI-ARIA APG
 * “combobox with list autocomplete”). Typing filters the provider fields by label or path; Down/Up
 * open the list and move through it, Home/End go to the first/last option, Enter picks, Escape
 * closes the list (a second Escape reaches the dialog). Focus stays in the input; the active option
 * is announced through `aria-activedescendant`.
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/combobox/examples/combobox-autocomplete-list/
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react'
import type { FieldMapping, ProviderFieldView } from '../../api/types'
import { Icon } from '../../components/icons'
import { useWidget } from '../../context'
import { fold } from '../../fold'
import { format } from '../../messages'
import { showValue } from './mapping-model'

/** What the end user picked: no source, a provider field, a fixed value, or combined fields. */
export type Choice = { kind: 'none' | 'constant' | 'join' } | { kind: 'field'; field: ProviderFieldView }

type Option = Choice & { key: string; text: string }


export interface FieldComboboxProps {
  labelledBy: string
  describedBy?: string | undefined
  invalid: boolean
  required: boolean
  fields: ProviderFieldView[]
  value: FieldMapping | undefined
  onChoose: (choice: Choice) => void
}

export function FieldCombobox({ labelledBy, describedBy, invalid, required, fields, value, onChoose }: FieldComboboxProps) {
  const { messages } = useWidget()
  const m = messages.mapping
  const id = useId()
  const listRef = useRef<HTMLUListElement>(null)
  const [open, setOpen] = useState(false)
  /** What the end user typed; `null`: not filtering (the input shows the current choice). */
  const [query, setQuery] = useState<string | null>(null)
  const [active, setActive] = useState(0)

  const current = value?.source === 'field' ? `f:${value.path}` : value ? value.source : 'none'
  const options: Option[] = [
    { kind: 'none', key: 'none', text: m.notMapped },
    ...fields.map((f): Option => ({ kind: 'field', field: f, key: `f:${f.path}`, text: f.label })),
    { kind: 'constant', key: 'constant', text: m.constant },
    { kind: 'join', key: 'join', text: m.join },
  ]
  const q = fold(query?.trim() ?? '')
  const shown = q ? options.filter((o) => fold(o.kind === 'field' ? `${o.text} ${o.field.path}` : o.text).includes(q)) : options
  const display =
    value?.source === 'field' ? (fields.find((f) => f.path === value.path)?.label ?? value.path) : value?.source === 'constant' ? m.constantShown : value?.source === 'join' ? m.joinShown : ''

  // Keep the active option in view while moving through a long list.
  useEffect(() => {
    if (open) listRef.current?.children[active]?.scrollIntoView?.({ block: 'nearest' })
  }, [open, active])

  const show = (at: number) => {
    setOpen(true)
    setActive(Math.max(0, at))
  }
  const close = () => {
    setOpen(false)
    setQuery(null)
  }
  const choose = (o: Option | undefined) => {
    if (!o) return
    close()
    onChoose(o)
  }

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const last = shown.length - 1
    const key = e.key
    if (key === 'ArrowDown' || key === 'ArrowUp') {
      e.preventDefault()
      const down = key === 'ArrowDown'
      const at = shown.findIndex((o) => o.key === current)
      // Opening starts at the current choice (else the first option, or the last with Up).
      if (!open) show(at >= 0 ? at : down ? 0 : last)
      else setActive((a) => (down ? (a >= last ? 0 : a + 1) : a <= 0 ? last : a - 1))
    } else if (open && (key === 'Home' || key === 'End')) {
      e.preventDefault()
      setActive(key === 'Home' ? 0 : last)
    } else if (open && key === 'Enter') {
      e.preventDefault()
      choose(shown[active])
    } else if (open && key === 'Escape') {
      // Handled here: the dialog around stays open.
      e.preventDefault()
      e.stopPropagation()
      close()
    }
  }

  const optionId = (i: number) => `${id}-o${i}`
  return (
    <div className="pb-combo" data-open={open ? '' : undefined}>
      <input
        className="pb-input"
        role="combobox"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        aria-required={required || undefined}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        aria-activedescendant={open && shown[active] ? optionId(active) : undefined}
        autoComplete="off"
        spellCheck={false}
        placeholder={m.notMapped}
        value={query ?? display}
        onFocus={(e) => e.currentTarget.select()}
        onClick={() => !open && show(options.findIndex((o) => o.key === current))}
        onBlur={close}
        onKeyDown={onKeyDown}
        onChange={(e) => {
          // Typing after the shown choice (not over it) filters by what was typed only.
          const v = e.target.value
          setQuery(query === null && display && v.startsWith(display) ? v.slice(display.length) : v)
          show(0)
        }}
      />
      {/* Clicks on the list (options, scroll bar) keep the focus in the input. */}
      <ul ref={listRef} id={`${id}-list`} role="listbox" aria-labelledby={labelledBy} className="pb-listbox" hidden={!open} onMouseDown={(e) => e.preventDefault()}>
        {shown.map((o, i) => (
          <li
            key={o.key}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className="pb-opt"
            onClick={() => choose(o)}
          >
            <span className="pb-opt-main">
              {o.text}
              {o.kind === 'field' && o.field.custom && <span className="pb-tag">{m.customField}</span>}
              {o.kind === 'field' && <span className="pb-opt-type">{m.types[o.field.type] ?? o.field.type}</span>}
              {o.key === current && <Icon name="check" />}
            </span>
            {o.kind === 'field' && (
              <span className="pb-opt-meta">
                <code>{o.field.path}</code>
                {o.field.samples.length > 0 && ` · ${format(m.example, { values: o.field.samples.map((s) => showValue(s, '')).join(', ') })}`}
              </span>
            )}
          </li>
        ))}
      </ul>
      {open && !shown.length && (
        <p className="pb-listbox pb-muted" role="status">
          {format(m.noMatches, { query: query?.trim() ?? '' })}
        </p>
      )}
    </div>
  )
}
