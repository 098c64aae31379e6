// The one normaliser and tokenizer: whatever width, spacing or punctuation people type,
// commands see the same words.

/** Full-width to half-width (NFKC), no control characters, single spaces. */
export function normalizeText(raw: string): string {
  return wellFormed(raw)
    .normalize('NFKC')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, '')
    .replace(/[\s\u2005]+/g, ' ')
    .trim()
}

/** A message that may be a command: the leading slash (optional), the head word, and the rest. */
export interface CommandText {
  slash: boolean
  head: string
  rest: string
}

/**
 * Splits "/整改：卫华村 已完成" into { slash, head: '整改', rest: '卫华村 已完成' }.
 * With a slash the head may be glued to its arguments ("/整改卫华村"); `names` (longest first)
 * lets the splitter find it. Without a slash the head must stand alone as the first word.
 */
export function splitCommand(text: string, names: readonly string[]): CommandText | undefined {
  const slash = /^[/\\]/.test(text)
  const body = text.replace(/^[/\\]+\s*/, '')
  if (body.length === 0) return slash ? { slash, head: '', rest: '' } : undefined
  const glued = slash ? names.find((n) => body.startsWith(n)) : undefined
  const head = glued ?? body.split(/[ :]/, 1)[0]!
  const rest = body.slice(head.length).replace(/^\s*:?\s*/, '').trim()
  if (!slash && !names.includes(head)) return undefined
  return { slash, head, rest }
}

export function tokenize(text: string): string[] {
  return text.split(' ').filter((w) => w.length > 0)
}

/**
 * The text with any half of a surrogate pair (a cut emoji, or a provider's broken text)
 * replaced by U+FFFD: such a string cannot be stored or compared, so nothing keeps one.
 */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
}

/** At most `max` UTF-16 units of `text`, never ending in the first half of an emoji. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text
  const cut = text.slice(0, max)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}
