/**
 * A labelled text input (or, for `type: 'textarea'`, a multi-line box such as a pasted JSON key
 * file) with its hint, help link and error, wired with `aria-describedby`.
 */
import { useId, type Ref } from 'react'
import type { FormField } from '../api/types'
import { Icon } from './icons'

export interface FieldProps {
  field: FormField
  value: string
  error?: string | undefined
  onChange: (value: string) => void
  helpLabel: string
  optionalLabel: string
  ref?: Ref<HTMLInputElement | HTMLTextAreaElement>
}

/** Only http(s) help links are rendered (a `javascript:` URL never becomes a link). */
const safeUrl = (u: string | undefined) => (u && /^https?:\/\//i.test(u) ? u : undefined)

export function Field({ field, value, error, onChange, helpLabel, optionalLabel, ref }: FieldProps) {
  const id = useId()
  const hintId = field.description ? `${id}-hint` : undefined
  const errorId = error ? `${id}-error` : undefined
  const help = safeUrl(field.helpUrl)
  const common = {
    id,
    name: field.name,
    value,
    placeholder: field.placeholder,
    required: field.required,
    autoComplete: 'off',
    spellCheck: false,
    autoCapitalize: 'off',
    'aria-invalid': error ? true : undefined,
    'aria-describedby': [errorId, hintId].filter(Boolean).join(' ') || undefined,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
  }
  return (
    <div className="pb-field" data-invalid={error ? '' : undefined}>
      <div className="pb-field-label">
        <label htmlFor={id}>{field.label}</label>
        {!field.required && <span className="pb-optional">{optionalLabel}</span>}
      </div>
      {field.description && (
        <p id={hintId} className="pb-hint">
          {field.description}
        </p>
      )}
      {field.type === 'textarea' ? (
        <textarea ref={ref as Ref<HTMLTextAreaElement>} {...common} rows={6} wrap="off" className="pb-input pb-textarea" />
      ) : (
        <input ref={ref as Ref<HTMLInputElement>} {...common} type={field.type} className="pb-input" />
      )}
      {error && (
        <p id={errorId} className="pb-field-error">
          <Icon name="alert" />
          {error}
        </p>
      )}
      {help && (
        <a className="pb-link" href={help} target="_blank" rel="noopener noreferrer">
          {helpLabel}
          <Icon name="external" />
        </a>
      )}
    </div>
  )
}
