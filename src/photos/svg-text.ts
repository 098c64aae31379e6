// Text in SVG pictures rendered by sharp: escaping, and width estimates without a layout engine.

/** XML-escaped, one line, without characters XML cannot hold. */
export function escapeXml(value: string): string {
  return clean(value).replace(/[<>&"']/g, (ch) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[ch] ?? ch)
}

export function clean(value: string): string {
  return value
    .replace(/[\t\n\r]+/g, ' ')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/g, '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}

// CJK and full-width forms are 1 em, the rest of Noto Sans SC's proportional Latin stays under
// 0.62 em: generous, so lines never overflow.
function emWidth(ch: string): number {
  const code = ch.codePointAt(0) ?? 0
  if (code >= 0x2e80 || (code >= 0x2000 && code <= 0x206f) || code === 0xb7) return 1
  return ch === ' ' ? 0.3 : 0.62
}

export function textWidth(value: string, size: number): number {
  let em = 0
  for (const ch of value) em += emWidth(ch)
  return em * size
}

/** The font size (down to `min`) at which `value` fits `width`. */
export function fitSize(value: string, width: number, size: number, min: number): number {
  const natural = textWidth(value, size)
  return natural <= width ? size : Math.max(min, Math.floor((size * width) / natural))
}

/** `value` cut with … to fit `width`. */
export function truncate(value: string, width: number, size: number): string {
  if (textWidth(value, size) <= width) return value
  let out = ''
  for (const ch of value) {
    if (textWidth(out + ch + '…', size) > width) break
    out += ch
  }
  return out + '…'
}
