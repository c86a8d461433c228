/** The few icons the widget needs: inline SVG paths, 16px, drawn with `currentColor`. */
import type { SVGProps } from 'react'

const PATHS = {
  back: 'M10 3 5 8l5 5',
  search: 'M7 12.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM11 11l3.5 3.5',
  check: 'm3.5 8.5 3 3 6-7',
  close: 'm4 4 8 8m0-8-8 8',
  alert: 'M8 5.5v3.2m0 2.6v.2M7 2.3 1.6 12a1.2 1.2 0 0 0 1 1.8h10.8a1.2 1.2 0 0 0 1-1.8L9 2.3a1.2 1.2 0 0 0-2 0Z',
  info: 'M8 7.2v4m0-6.6v.2M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13Z',
  external: 'M9.5 2.5h4v4m0-4L8 8m-1.5-4.5h-3a1 1 0 0 0-1 1v8a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1v-3',
} as const

export type IconName = keyof typeof PATHS

/** A decorative icon (hidden from assistive technology; label the control instead). */
export function Icon({ name, ...props }: { name: IconName } & SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 16 16" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" className="pb-icon" {...props}>
      <path d={PATHS[name]} />
    </svg>
  )
}
