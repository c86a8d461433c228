/** Buttons: `primary` (the one main action), `secondary`, `danger`, `ghost` (quiet, inline). */
import type { ButtonHTMLAttributes, Ref } from 'react'

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost'
  size?: 'md' | 'sm'
  /** Shows a spinner and sets `aria-busy`; the button stays in the tab order but ignores clicks. */
  pending?: boolean
  ref?: Ref<HTMLButtonElement>
}

export function Button({ variant = 'secondary', size = 'md', pending = false, className, children, onClick, type = 'button', ...rest }: ButtonProps) {
  return (
    <button
      type={type}
      className={`pb-btn pb-btn-${variant}${size === 'sm' ? ' pb-btn-sm' : ''}${className ? ` ${className}` : ''}`}
      aria-busy={pending || undefined}
      onClick={(e) => {
        if (pending) e.preventDefault()
        else onClick?.(e)
      }}
      {...rest}
    >
      {pending && <span className="pb-spinner" aria-hidden="true" />}
      {children}
    </button>
  )
}
