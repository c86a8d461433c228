/**
 * A modal region with the focus behaviour of the WAI-ARIA dialog pattern: focus moves in when it
 * opens, Tab stays inside, Escape closes, and focus returns to what had it before.
 * Works inside a shadow root (the element that had focus is found through open shadow roots).
 * @see https://www.w3.org/WAI/ARIA/apg/patterns/dialog-modal/
 */
import { useEffect, useRef, useState, type HTMLAttributes, type KeyboardEvent, type ReactNode, type RefObject } from 'react'

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])'

/** The focused element, looking into open shadow roots. */
export function deepActiveElement(): HTMLElement | null {
  let el = typeof document === 'undefined' ? null : document.activeElement
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement
  return el as HTMLElement | null
}

function tabbables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest('[inert],[hidden]'))
}

export interface DialogProps extends Omit<HTMLAttributes<HTMLDivElement>, 'role'> {
  /** Id of the element naming the dialog (its heading). */
  labelledBy: string
  describedBy?: string
  onClose: () => void
  role?: 'dialog' | 'alertdialog'
  /** What to focus on open; default the first focusable element. */
  initialFocus?: RefObject<HTMLElement | null>
  children: ReactNode
}

export function Dialog({ labelledBy, describedBy, onClose, role = 'dialog', initialFocus, children, ...rest }: DialogProps) {
  const ref = useRef<HTMLDivElement>(null)
  // Read while rendering, before this commit moves or hides anything: the element to return to.
  const [opener] = useState(deepActiveElement)
  const close = useRef(onClose)
  close.current = onClose

  useEffect(() => {
    const box = ref.current
    if (box) (initialFocus?.current ?? tabbables(box)[0] ?? box).focus()
    return () => {
      // Passive cleanup runs after the DOM is updated, so a re-shown opener can take focus.
      if (opener?.isConnected) opener.focus()
    }
  }, []) // on open and on close only

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.defaultPrevented) return // a nested dialog handled it
    if (e.key === 'Escape') {
      e.stopPropagation()
      e.preventDefault()
      close.current()
      return
    }
    if (e.key !== 'Tab' || !ref.current) return
    const items = tabbables(ref.current)
    if (!items.length) return
    const first = items[0]!
    const last = items[items.length - 1]!
    const active = deepActiveElement()
    if (e.shiftKey && (active === first || active === ref.current)) {
      e.preventDefault()
      last.focus()
    } else if (!e.shiftKey && active === last) {
      e.preventDefault()
      first.focus()
    }
  }

  return (
    <div ref={ref} role={role} aria-modal="true" aria-labelledby={labelledBy} aria-describedby={describedBy} tabIndex={-1} onKeyDown={onKeyDown} {...rest}>
      {children}
    </div>
  )
}
