/**
 * The connect form: the fields the connector defines (`credentialFields` for API key, basic,
 * client credentials and service account keys; `connectionConfigFields` such as a subdomain, for
 * every auth type).
 * Checked here first (required, pattern), then by the server, whose field errors
 * (`errors[].path` such as `credentials.apiKey`) are shown under their field.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { ApiError } from '../../api/client'
import type { CatalogEntry, FormField } from '../../api/types'
import { Alert } from '../../components/alert'
import { Button } from '../../components/button'
import { Field } from '../../components/field'
import { describeError, useWidget } from '../../context'
import { format } from '../../messages'

export interface ConnectValues {
  credentials: Record<string, string>
  connectionConfig: Record<string, string>
}

export interface ConnectFormProps {
  entry: CatalogEntry
  /** Ask for credentials (`false` for OAuth, where only the connection config is asked). */
  withCredentials: boolean
  initialConfig?: Record<string, string> | undefined
  submitLabel: string
  pending: boolean
  /**
   * Called synchronously from the submit event (an OAuth popup may be opened in it). May resolve
   * with the server's error, which the form then shows.
   */
  onSubmit: (values: ConnectValues) => Promise<unknown> | null | void
  onCancel?: (() => void) | undefined
}

type Errors = Record<string, string>

const key = (group: 'credentials' | 'connectionConfig', f: FormField) => `${group}.${f.name}`

/** Tests a value against a connector pattern the way the server does (anchored). */
function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value)
  } catch {
    return true // the server decides
  }
}

export function ConnectForm({ entry, withCredentials, initialConfig, submitLabel, pending, onSubmit, onCancel }: ConnectFormProps) {
  const { messages: m } = useWidget()
  const groups: ['credentials' | 'connectionConfig', FormField[]][] = [
    ['connectionConfig', entry.connectionConfigFields],
    ['credentials', withCredentials ? entry.credentialFields : []],
  ]
  const [values, setValues] = useState<Record<string, string>>(() => {
    const v: Record<string, string> = {}
    for (const f of entry.connectionConfigFields) v[key('connectionConfig', f)] = initialConfig?.[f.name] ?? f.default ?? ''
    return v
  })
  const [errors, setErrors] = useState<Errors>({})
  const [formError, setFormError] = useState<{ text: string; detail?: string } | null>(null)
  const [attempt, setAttempt] = useState(0)
  const inputs = useRef(new Map<string, HTMLInputElement | HTMLTextAreaElement>())
  const errorRef = useRef<HTMLDivElement>(null)
  const formId = useId()

  // After a failed attempt, take the user to the first problem.
  useEffect(() => {
    if (!attempt) return
    for (const [group, fields] of groups) {
      for (const f of fields) {
        if (errors[key(group, f)]) return inputs.current.get(key(group, f))?.focus()
      }
    }
    if (formError) errorRef.current?.focus()
  }, [attempt]) // once per attempt, after its errors are rendered

  const showServerError = (err: unknown) => {
    if (!(err instanceof ApiError)) {
      if (err) setFormError({ text: format(m.form.failed, { reason: describeError(err, m) }) })
      setAttempt((n) => n + 1)
      return
    }
    const next: Errors = {}
    const known = new Set(groups.flatMap(([g, fs]) => fs.map((f) => key(g, f))))
    const unplaced: string[] = []
    for (const e of err.errors) {
      if (known.has(e.path) && !next[e.path]) next[e.path] = e.message
      else unplaced.push(e.message)
    }
    setErrors(next)
    if (err.code === 'credentials_invalid') setFormError({ text: format(m.form.credentialsInvalid, { name: entry.name }), detail: err.detail })
    else if (err.code === 'invalid_request' && err.errors.length) setFormError(unplaced.length ? { text: m.form.invalid, detail: unplaced.join(' ') } : null)
    else setFormError({ text: format(m.form.failed, { reason: describeError(err, m) }) })
    setAttempt((n) => n + 1)
  }

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault()
    if (pending) return
    const next: Errors = {}
    const out: ConnectValues = { credentials: {}, connectionConfig: {} }
    for (const [group, fields] of groups) {
      for (const f of fields) {
        const k = key(group, f)
        const v = (values[k] ?? '').trim()
        if (!v) {
          if (f.required) next[k] = format(m.form.required, { label: f.label })
          continue
        }
        if (f.pattern && !matches(f.pattern, v)) next[k] = format(m.form.pattern, { label: f.label })
        out[group][f.name] = v
      }
    }
    setErrors(next)
    setFormError(null)
    if (Object.keys(next).length) {
      setAttempt((n) => n + 1)
      return
    }
    const result = onSubmit(out)
    if (result) result.then((err) => err && showServerError(err), showServerError)
  }

  return (
    <form className="pb-form" noValidate onSubmit={submit} aria-describedby={formError ? `${formId}-error` : undefined} data-state={pending ? 'pending' : formError || Object.keys(errors).length ? 'invalid' : 'idle'}>
      {formError && (
        <div id={`${formId}-error`}>
          <Alert ref={errorRef} tone="danger" title={formError.text} state="form-error">
            {formError.detail && formError.detail !== formError.text ? formError.detail : null}
          </Alert>
        </div>
      )}
      {groups.map(([group, fields]) =>
        fields.map((f) => {
          const k = key(group, f)
          return (
            <Field
              key={k}
              ref={(el) => {
                if (el) inputs.current.set(k, el)
                else inputs.current.delete(k)
              }}
              field={f}
              value={values[k] ?? ''}
              error={errors[k]}
              helpLabel={m.form.help}
              optionalLabel={m.form.optional}
              onChange={(v) => {
                setValues((s) => ({ ...s, [k]: v }))
                if (errors[k]) setErrors(({ [k]: _, ...rest }) => rest)
              }}
            />
          )
        }),
      )}
      <div className="pb-actions">
        <Button type="submit" variant="primary" pending={pending}>
          {pending ? m.form.pending : submitLabel}
        </Button>
        {onCancel && (
          <Button variant="ghost" onClick={onCancel}>
            {m.form.cancel}
          </Button>
        )}
      </div>
    </form>
  )
}
