/** A small status pill with a coloured dot. */
import type { HTMLAttributes } from 'react'

export type Tone = 'neutral' | 'success' | 'warning' | 'danger' | 'info'

export function Badge({ tone = 'neutral', children, className, ...rest }: { tone?: Tone } & HTMLAttributes<HTMLSpanElement>) {
  return (
    <span className={`pb-badge pb-tone-${tone}${className ? ` ${className}` : ''}`} {...rest}>
      <span className="pb-dot" aria-hidden="true" />
      {children}
    </span>
  )
}
