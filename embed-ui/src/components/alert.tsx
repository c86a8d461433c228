/**
 * A callout for a state or an outcome. `role="alert"` for failures (announced at once),
 * `role="status"` for the rest (announced politely).
 */
import type { ReactNode, Ref } from 'react'
import type { Tone } from './badge'
import { Icon } from './icons'

export interface AlertProps {
  tone: Tone
  title?: ReactNode
  children?: ReactNode
  /** Buttons shown under the text. */
  actions?: ReactNode
  state?: string
  /** A standing notice rather than news: no live region. */
  quiet?: boolean
  ref?: Ref<HTMLDivElement>
}

export function Alert({ tone, title, children, actions, state, quiet, ref }: AlertProps) {
  const urgent = tone === 'danger' || tone === 'warning'
  return (
    <div ref={ref} tabIndex={-1} className={`pb-alert pb-tone-${tone}`} role={quiet ? undefined : urgent ? 'alert' : 'status'} data-state={state}>
      <Icon name={tone === 'success' ? 'check' : urgent ? 'alert' : 'info'} className="pb-icon pb-alert-icon" />
      <div className="pb-alert-body">
        {title && <p className="pb-alert-title">{title}</p>}
        {children && <div className="pb-alert-text">{children}</div>}
        {actions && <div className="pb-actions">{actions}</div>}
      </div>
    </div>
  )
}
