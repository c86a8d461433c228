/**
 * An integration's logo. The catalog sends an SVG document; it is only ever loaded as an image
 * from a data URL (scripts in an SVG image do not run), never put into the DOM as markup.
 */
export function logoUrl(svg: string): string {
  return 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg)
}

export function Logo({ svg, size = 40 }: { svg: string; size?: number }) {
  return <img className="pb-logo" src={logoUrl(svg)} alt="" width={size} height={size} draggable={false} />
}
