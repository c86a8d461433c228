/**
 * The mapping screen: where each field of the vendor's model (`Contact`) comes from in the end
 * user's account — a provider field (with simple transforms), a fixed value, or fields combined —
 * with the server's check under each field and a live preview of the latest records as they will
 * arrive. A view over the detail (focus moves to its heading, Escape or Back closes it).
 */
import { useEffect, useId, useMemo, useRef, useState, type ChangeEvent } from 'react'
import { useQuery } from '@tanstack/react-query'
import { ApiError } from '../../api/client'
import { isNotFound, mappingEditorQuery, mappingPreviewQuery, useRefreshMappingFields, useResetMapping, useSaveMapping } from '../../api/queries'
import type { CatalogEntry, CheckIssue, FieldMapping, MappingEditorData, MappingPreview, MappingTarget, ProviderFieldView, VendorField } from '../../api/types'
import { Alert } from '../../components/alert'
import { Button } from '../../components/button'
import { Dialog } from '../../components/dialog'
import { Icon } from '../../components/icons'
import { describeError, reportError, useWidget } from '../../context'
import { format, type Messages } from '../../messages'
import { FieldCombobox, type Choice } from './field-combobox'
import { chooseField, dateNeeded, fieldLabel, findTransform, knownValues, localErrors, parseValue, showValue, toMapping, withTransform } from './mapping-model'

type M = Messages['mapping']
type FieldSource = Extract<FieldMapping, { source: 'field' }>
/** A problem of one vendor field, in words; `error`: it blocks saving. */
type Issue = CheckIssue & { error?: boolean }

export interface MappingEditorProps {
  entry: CatalogEntry
  connectionId: string
  target: MappingTarget
  /** Opened right after connecting: says so, and offers “Later”. */
  prompt?: boolean | undefined
  /** `saved` / `reset` when the mapping changed. */
  onClose: (outcome?: 'saved' | 'reset') => void
}

/** `value`, once it has not changed for `ms`. */
function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value)
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms)
    return () => clearTimeout(t)
  }, [value, ms])
  return v
}

export function MappingEditor({ entry, connectionId, target, prompt, onClose }: MappingEditorProps) {
  const { api, messages } = useWidget()
  const m = messages.mapping
  const titleId = useId()
  const headingRef = useRef<HTMLHeadingElement>(null)
  const q = useQuery(mappingEditorQuery(api, connectionId, target.object))
  // Read afresh on every opening: a cached answer may predate the last save.
  const data = q.isFetchedAfterMount && !q.isError ? q.data : undefined
  const words = { object: target.objectLabel, model: target.model.name, name: entry.name }

  return (
    <Dialog
      labelledBy={titleId}
      onClose={() => onClose()}
      initialFocus={headingRef}
      data-patchbay-mapping=""
      data-object={target.object}
      data-state={data ? 'ready' : q.isError ? 'error' : 'loading'}
    >
      <div className="pb-detail-nav">
        <Button variant="ghost" size="sm" onClick={() => onClose()}>
          <Icon name="back" />
          {format(m.back, words)}
        </Button>
      </div>
      <h2 id={titleId} ref={headingRef} tabIndex={-1} className="pb-title">
        {format(m.heading, words)}
      </h2>
      <p className="pb-desc">{format(prompt ? m.prompt : m.intro, words)}</p>
      {data ? (
        <EditorForm entry={entry} connectionId={connectionId} data={data} prompt={prompt} onClose={onClose} />
      ) : q.isError ? (
        <Alert tone="danger" title={format(m.loadError, { reason: describeError(q.error, messages) })} actions={<Button onClick={() => void q.refetch()}>{messages.errors.retry}</Button>} />
      ) : (
        <div className="pb-skel pb-map-skel" role="status" aria-label={m.loading} />
      )}
    </Dialog>
  )
}

interface EditorFormProps extends Omit<MappingEditorProps, 'target'> {
  data: MappingEditorData
}

function EditorForm({ entry, connectionId, data, prompt, onClose }: EditorFormProps) {
  const { api, messages, emit } = useWidget()
  const m = messages.mapping
  const id = useId()
  const rootRef = useRef<HTMLDivElement>(null)
  const { model, object } = data
  const [draft, setDraft] = useState<Record<string, FieldMapping>>(() => ({ ...(data.mapping ?? data.suggested).fields }))
  const save = useSaveMapping(api, connectionId, object)
  const reset = useResetMapping(api, connectionId, object)
  const refresh = useRefreshMappingFields(api, connectionId, object)

  const mapping = toMapping(model, draft)
  const json = JSON.stringify(mapping)
  const sent = useDebounced(json, 300)
  const preview = useQuery(mappingPreviewQuery(api, connectionId, object, useMemo(() => JSON.parse(sent) as typeof mapping, [sent])))

  const change = (name: string, next: FieldMapping | undefined) => {
    save.reset()
    setDraft(({ [name]: _, ...rest }) => (next ? { ...rest, [name]: next } : rest))
  }

  // Problems: known at once (required fields, joins), then the server's check of the latest preview
  // (its required_unmapped is known here already, and may be stale), then why a save was refused.
  const check = preview.data?.check
  const err = save.error
  const issues: Issue[] = [
    ...localErrors(model, draft),
    ...(check?.errors ?? []).filter((i) => i.code !== 'required_unmapped'),
    ...(err instanceof ApiError ? err.errors : []).map((e) => ({ field: e.path.replace(/^fields\./, ''), code: e.code ?? '', message: e.message })),
  ].map((i): Issue => ({ ...i, error: true }))
  issues.push(...(check?.warnings ?? []))
  const say = (i: Issue) =>
    i.code === 'join_too_few' ? m.joinTooFew : Object.hasOwn(m.issues, i.code) ? format(m.issues[i.code]!, { values: i.values?.join(', ') ?? '', model: model.name, name: entry.name }) : i.message
  // Why Save does nothing yet: the fields to fix, and problems of the mapping as a whole.
  const invalid = [...new Set(issues.filter((i) => i.error && Object.hasOwn(model.fields, i.field)).map((i) => fieldLabel(i.field)))]
  const blocked = [...(invalid.length ? [format(m.blocked, { fields: invalid.join(', ') })] : []), ...issues.filter((i) => i.error && !Object.hasOwn(model.fields, i.field)).map(say)].join(' ')
  const failed = err ?? (isNotFound(reset.error) ? null : reset.error)

  const onSave = () =>
    blocked
      ? // Takes keyboard users to what needs fixing.
        rootRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
      : save.mutate(mapping, {
          onSuccess: (saved) => {
            emit('mapping', { connectionId, integration: entry.key, object, version: saved.version })
            onClose('saved')
          },
          onError: (e) => reportError(emit, 'mapping', e, entry.key),
        })
  const onReset = () =>
    reset.mutate(undefined, {
      onSuccess: () => onClose('reset'),
      // 404: there is no own mapping (any more); the default applies.
      onError: (e) => (isNotFound(e) ? onClose('reset') : reportError(emit, 'mapping', e, entry.key)),
    })

  return (
    <div ref={rootRef}>
      <div className="pb-actions">
        <Button size="sm" pending={refresh.isPending} onClick={() => refresh.mutate()}>
          {m.refresh}
        </Button>
      </div>
      {(refresh.error || data.discovery.error) && (
        <Alert tone="warning" state="discovery-failed" title={format(m.discoveryFailed, { reason: refresh.error ? describeError(refresh.error, messages) : data.discovery.error! })} />
      )}

      <ul className="pb-map-fields" role="list">
        {Object.entries(model.fields).map(([name, vf]) => (
          <FieldRow key={name} name={name} vf={vf} value={draft[name]} fields={data.fields} issues={issues.filter((i) => i.field === name)} say={say} words={{ name: entry.name, model: model.name }} onChange={(next) => change(name, next)} />
        ))}
      </ul>

      <Preview data={preview.data} failed={preview.isError && !preview.data} busy={preview.isFetching || sent !== json} fields={Object.keys(model.fields)} name={entry.name} m={m} />

      {failed ? <Alert tone="danger" title={format(err ? m.saveFailed : m.resetFailed, { reason: describeError(failed, messages) })} /> : null}
      {blocked && (
        <p id={`${id}-blocked`} className="pb-field-error pb-map-blocked">
          <Icon name="alert" />
          {blocked}
        </p>
      )}
      <div className="pb-actions">
        <Button variant="primary" pending={save.isPending} aria-disabled={!!blocked || undefined} aria-describedby={blocked ? `${id}-blocked` : undefined} onClick={onSave}>
          {m.save}
        </Button>
        <Button onClick={() => onClose()}>{prompt ? m.later : m.cancel}</Button>
        {data.status === 'custom' && (
          <Button variant="ghost" pending={reset.isPending} onClick={onReset}>
            {m.reset}
          </Button>
        )}
      </div>
    </div>
  )
}

interface FieldRowProps {
  name: string
  vf: VendorField
  value: FieldMapping | undefined
  fields: ProviderFieldView[]
  issues: Issue[]
  say: (i: Issue) => string
  /** For messages: the integration's and the model's names. */
  words: { name: string; model: string }
  onChange: (next: FieldMapping | undefined) => void
}

function FieldRow({ name, vf, value, fields, issues, say, words, onChange }: FieldRowProps) {
  const { messages } = useWidget()
  const m = messages.mapping
  const id = useId()
  // Set when the end user picks a fixed value or combined fields: their first control takes focus.
  const [chosen, setChosen] = useState(false)
  const label = fieldLabel(name)
  const invalid = issues.some((i) => i.error)

  const onChoose = (c: Choice) => {
    if (c.kind === 'none') onChange(undefined)
    else if (c.kind === 'field') onChange(value?.source === 'field' && value.path === c.field.path ? value : chooseField(vf, c.field))
    else if (c.kind !== value?.source) {
      setChosen(true)
      onChange(c.kind === 'constant' ? { source: 'constant', value: null } : { source: 'join', paths: [value?.source === 'field' ? value.path : '', ''], separator: ' ' })
    }
  }

  return (
    <li className="pb-map-row" data-field={name} data-invalid={invalid ? '' : undefined}>
      <div>
        <p className="pb-map-label">
          <span id={`${id}-label`}>{label}</span>
          {vf.required && <span className="pb-tag pb-req">{m.required}</span>}
        </p>
        <p id={`${id}-desc`} className="pb-hint">
          {m.types[vf.type] ?? vf.type}
          {vf.description && ` · ${vf.description}`}
        </p>
      </div>
      <div className="pb-map-source">
        <FieldCombobox labelledBy={`${id}-label`} describedBy={`${id}-issues ${id}-desc`} invalid={invalid} required={vf.required} fields={fields} value={value} onChoose={onChoose} />
        {value?.source === 'constant' && <ValueInput vf={vf} label={m.value} value={value.value} autoFocus={chosen} onChange={(v) => onChange({ source: 'constant', value: v })} />}
        {value?.source === 'join' && (
          <>
            {value.paths.map((p, i) => (
              <Ctl
                key={i}
                label={format(m.joinPart, { n: i + 1 })}
                value={p}
                options={[['', m.chooseField], ...fields.map((f): [string, string] => [f.path, f.label])]}
                // The first empty part takes focus when “Combine fields…” was just picked.
                autoFocus={chosen && i === value.paths.indexOf('')}
                onChange={(v) => onChange({ ...value, paths: value.paths.map((x, j) => (j === i ? v : x)) })}
              />
            ))}
            <Ctl label={m.separator} value={value.separator} onChange={(v) => onChange({ ...value, separator: v.slice(0, 10) })} />
            {value.paths.length < 10 && (
              <Button size="sm" variant="ghost" onClick={() => onChange({ ...value, paths: [...value.paths, ''] })}>
                {m.joinAdd}
              </Button>
            )}
          </>
        )}
        {value?.source === 'field' && <Transforms key={value.path} label={label} vf={vf} pf={fields.find((f) => f.path === value.path)} value={value} words={words} m={m} onChange={onChange} />}
        <ul id={`${id}-issues`} className="pb-issues" role="list">
          {issues.map((i) => (
            <li key={i.code + i.message} className={i.error ? 'pb-field-error' : 'pb-field-error pb-warn'} data-code={i.code}>
              <Icon name={i.error ? 'alert' : 'info'} />
              {say(i)}
            </li>
          ))}
        </ul>
      </div>
    </li>
  )
}

/** A labelled `<select>` (given `options`: value and text) or text box. */
function Ctl({ label, value, options, type, autoFocus, onChange }: { label: string; value: string; options?: [string, string][]; type?: string; autoFocus?: boolean; onChange: (v: string) => void }) {
  const id = useId()
  const props = { id, className: 'pb-input', value, autoFocus, onChange: (e: ChangeEvent<HTMLInputElement | HTMLSelectElement>) => onChange(e.target.value) }
  return (
    <div className="pb-map-opt">
      <label htmlFor={id}>{label}</label>
      {options ? (
        <select {...props}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      ) : (
        <input {...props} type={type} />
      )}
    </div>
  )
}

/** A value of the vendor field's type: a list for enums and yes/no, a number box for numbers, text otherwise. */
function ValueInput({ vf, label, value, autoFocus, onChange }: { vf: VendorField; label: string; value: string | number | boolean | null | undefined; autoFocus?: boolean; onChange: (v: string | number | boolean | null) => void }) {
  const { messages } = useWidget()
  const m = messages.mapping
  // The text as typed (a number box's "1." is not a number yet).
  const [text, setText] = useState(value == null ? '' : String(value))
  const choices: [string, string][] | null = vf.type === 'enum' ? (vf.enumValues ?? []).map((v) => [v, v]) : vf.type === 'boolean' ? [['true', m.yes], ['false', m.no]] : null
  return (
    <Ctl
      label={label}
      value={text}
      options={choices ? [['', m.noValue], ...choices] : undefined}
      type={vf.type === 'number' || vf.type === 'integer' ? 'number' : 'text'}
      autoFocus={autoFocus}
      onChange={(t) => {
        setText(t)
        onChange(parseValue(vf, t))
      }}
    />
  )
}

const USE_PARTS = ['whole', 'first', 'last', 'rest'] as const
const READ_AS = ['auto', 'iso', 'epoch_s', 'epoch_ms'] as const

/** The simple transforms that make sense for this pair of fields; others the mapping has are kept as they are. */
function Transforms({ label, vf, pf, value, words, m, onChange }: { label: string; vf: VendorField; pf: ProviderFieldView | undefined; value: FieldSource; words: { name: string; model: string }; m: M; onChange: (v: FieldMapping) => void }) {
  const split = findTransform(value, 'split')
  const date = findTransform(value, 'date')
  const enumMap = findTransform(value, 'enum')
  // Only splits on a space into a named part are shown (others stay as they are).
  const part = !split ? 'whole' : split.separator === ' ' && typeof split.part === 'string' ? split.part : null
  const readAs = date?.input === 'epoch_s' || date?.input === 'epoch_ms' ? date.input : date?.input ? 'iso' : 'auto'

  // Enum values: without a map, values that are already the vendor's pass as they are.
  const values = vf.type === 'enum' ? knownValues(pf, enumMap?.map ?? {}) : []
  const allowed = vf.enumValues ?? []
  const map = enumMap?.map ?? Object.fromEntries(values.filter((v) => allowed.includes(v)).map((v) => [v, v]))
  const setMap = (next: Record<string, string>, fallback: string | undefined) =>
    // An enum map needs an entry: a fallback alone cannot be kept.
    onChange(withTransform(value, 'enum', Object.keys(next).length ? { type: 'enum', map: next, ...(fallback ? { fallback } : {}) } : null))

  return (
    <>
      {vf.type === 'string' && pf?.type === 'string' && part && (
        <Ctl
          label={m.use}
          value={part}
          options={USE_PARTS.map((p) => [p, m.useOptions[p]])}
          onChange={(p) => onChange(withTransform(value, 'split', p === 'whole' ? null : { type: 'split', separator: ' ', part: p as 'first' }))}
        />
      )}
      {(vf.type === 'date' || vf.type === 'datetime') && (
        <Ctl
          label={m.readAs}
          value={readAs}
          options={READ_AS.map((r) => [r, m.readAsOptions[r]])}
          onChange={(r) => {
            const input = r === 'auto' ? undefined : r === 'iso' ? (pf?.type === 'date' ? 'date' : 'datetime') : (r as 'epoch_s')
            onChange(withTransform(value, 'date', input || dateNeeded(vf, pf) ? { type: 'date', ...(input && { input }), output: vf.type as 'date' } : null))
          }}
        />
      )}
      {values.length > 0 && (
        <table className="pb-enum">
          <thead>
            <tr>
              <th scope="col">{format(m.enumFrom, words)}</th>
              <th scope="col">{format(m.enumTo, words)}</th>
            </tr>
          </thead>
          <tbody>
            {[...values, null].map((v) => (
              <tr key={v ?? ''}>
                <th scope="row">{v ?? m.fallback}</th>
                <td>
                  <select
                    className="pb-input"
                    aria-label={format(m.enumRow, { field: label, value: v ?? m.fallback })}
                    value={(v === null ? enumMap?.fallback : Object.hasOwn(map, v) ? map[v] : '') ?? ''}
                    disabled={v === null && !Object.keys(map).length}
                    onChange={({ target: { value: to } }) =>
                      v === null ? setMap(map, to) : setMap(Object.fromEntries([...Object.entries(map).filter(([k]) => k !== v), ...(to ? [[v, to]] : [])]), enumMap?.fallback)
                    }
                  >
                    {['', ...allowed].map((o) => (
                      <option key={o} value={o}>
                        {o || m.noValue}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {vf.type !== 'object' && vf.type !== 'array' && (
        <ValueInput vf={vf} label={m.ifEmpty} value={findTransform(value, 'default')?.value} onChange={(v) => onChange(withTransform(value, 'default', v === null ? null : { type: 'default', value: v }))} />
      )}
    </>
  )
}

/** The latest records as they will arrive: a row per vendor field, a column per record; values that fail are marked with why. */
function Preview({ data, failed, busy, fields, name, m }: { data: MappingPreview | undefined; failed: boolean; busy: boolean; fields: string[]; name: string; m: M }) {
  const id = useId()
  const samples = data?.samples ?? []
  return (
    <section className="pb-section pb-preview" aria-labelledby={id} aria-busy={busy || undefined}>
      <h3 id={id} className="pb-section-title">
        {m.previewTitle}
      </h3>
      <p className="pb-muted" data-state={data && !samples.length ? 'empty' : undefined}>
        {format(failed ? m.previewFailed : !data ? m.loading : samples.length ? m.previewIntro : m.previewEmpty, { name })}
      </p>
      {samples.length > 0 && (
        <div className="pb-preview-scroll">
          <table data-preview="">
            <thead>
              <tr>
                <th scope="col">{m.field}</th>
                {samples.map((_, i) => (
                  <th key={i} scope="col">
                    {format(m.record, { n: i + 1 })}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => (
                <tr key={f}>
                  <th scope="row">{fieldLabel(f)}</th>
                  {samples.map((s, i) => {
                    const errors = s.errors.filter((e) => e.field === f)
                    return (
                      <td key={i} data-invalid={errors.length ? '' : undefined}>
                        {showValue(s.value[f], m.empty)}
                        {errors.map((e) => (
                          <span key={e.message} className="pb-cell-error">
                            {e.message}
                          </span>
                        ))}
                      </td>
                    )
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
