// The one quantity parser of the campaign commands: "垃圾12吨", "边沟 0.5 公里", "二十万株",
// "1300余人次", "240L垃圾桶18套" → name, value, unit; then onto a record kind's figures.
//
// A quantity reads from its END: unit, then the number before it, then an optional 近/约 and sign;
// whatever is left is the name. Reading from the end is what keeps digits inside a name
// ("240L垃圾桶18套") in the name: the number is only the numeric run just before the unit.
import { FIGURES_BY_KIND, MEASURES, type Figure, type Measure, type RecordKind } from './figures.ts'
import { UserError } from '../errors.ts'
import { normalize, NUMBER_CHAR, ONLY_NUMBER_CHARS, readNumber, round } from '../numbers.ts'

export interface Quantity {
  /** The words before the number, '' if none. */
  name: string
  /** The number as written ("1300余" counts as 1300); 万/亿 multiply it ("1.2万元" = 12000 元). */
  value: number
  /** Normalised: 'km' → 公里, 'kg' → 公斤, '立方' → 立方米; never 万元 (its 万 is read as ×10000). */
  unit: string
  /** The qualifier as written ("…左右" is recorded as 约). The value ignores it. */
  approx?: '余' | '多' | '近' | '约' | '+'
}

/** Each unit's measure and size in the measure's base unit. */
const UNIT = new Map<string, { measure: Measure; size: number }>()
for (const [measure, units] of Object.entries(MEASURES) as [Measure, Record<string, number>][])
  for (const [unit, size] of Object.entries(units)) UNIT.set(unit, { measure, size })

/** Units as they may be written (lower case) → the unit recorded. */
const WRITTEN = new Map<string, string>([...UNIT.keys()].map((u) => [u, u]))
for (const [w, u] of Object.entries({ km: '公里', m: '米', t: '吨', kg: '公斤', 立方: '立方米' })) WRITTEN.set(w, u)
// Shortest first: where two readings fit, the shorter unit reads the preceding 万/千 as a multiplier
// ("1.2万元" = 12000 元, "5千米" = 5000 米). Only 元/万元 and 米/千米 overlap so, and the two
// readings are the same amount. Everywhere else a shorter unit fails (no number before it: "公|里").
const UNITS = [...WRITTEN].sort((a, b) => a[0].length - b[0].length)
const APPROX_BEFORE = ['大约', '将近', '约', '近'] as const


interface Reading extends Quantity {
  /** Where the name ends, and where the numeral proper begins and ends, in the normalised text. */
  nameEnd: number
  numStart: number
  numEnd: number
}

function read(s: string): Reading | undefined {
  let body = s, tailApprox: Quantity['approx']
  if (body.endsWith('左右')) [body, tailApprox] = [body.slice(0, -2), '约']
  for (const [written, unit] of UNITS) {
    if (body.length <= written.length || body.slice(-written.length).toLowerCase() !== written) continue
    const end = body.length - written.length
    let runStart = end
    while (runStart > 0 && end - runStart < 40 && NUMBER_CHAR.test(body[runStart - 1] ?? '')) runStart-- // 40: keeps it linear
    // The longest numeric suffix that reads as a number; a digit may not precede it ("12,3").
    for (let start = runStart; start < end; start++) {
      if (/[0-9.,]/.test(body[start - 1] ?? '')) continue
      const n = readNumber(body.slice(start, end))
      if (!n) continue
      let p = start, sign = 1, approx = n.approx ?? tailApprox
      if (/[-−负]/.test(body[p - 1] ?? '')) [p, sign] = [p - 1, -1]
      const before = APPROX_BEFORE.find((a) => body.slice(0, p).endsWith(a))
      if (before) [p, approx] = [p - before.length, approx ?? (before.slice(-1) as '近' | '约')]
      const name = body.slice(0, p).replace(/^[:=,、;]+|[:=,、;~—]+$/g, '')
      if (ONLY_NUMBER_CHARS.test(name)) break // a malformed number ("十十吨")
      return { name, value: sign * n.value, unit, ...(approx ? { approx } : {}), nameEnd: p, numStart: start, numEnd: end }
    }
  }
  return undefined
}

const strip = ({ name, value, unit, approx }: Reading): Quantity => ({ name, value, unit, ...(approx ? { approx } : {}) })

/** One quantity from one token or several words ("垃圾12吨", "近20立方米", "二十万株"). Never throws. */
export function parseQuantity(text: string): Quantity | undefined {
  const r = read(normalize(String(text)))
  return r && strip(r)
}

/** A message's words → its quantities and the other words, as written. A number without a name takes
 *  the bare word before it as its name ("垃圾 12吨"). Never throws. */
export function readQuantities(words: readonly string[]): { quantities: Quantity[]; rest: string[] } {
  const quantities: Quantity[] = [], rest: string[] = []
  const norm = words.map((w) => normalize(String(w)))
  for (let i = 0; i < words.length; ) {
    // Up to 4 words make one quantity: a bare name, then number, qualifier and unit ("边沟 0.5 公里").
    // Longest first, but a word boundary may not fall inside the name or inside the numeral.
    let taken = 0
    for (let k = Math.min(i + 3, words.length - 1); k >= i && !taken; k--) {
      const parts = norm.slice(i, k + 1), r = read(parts.join(''))
      if (!r) continue
      const cuts = parts.slice(0, -1).map((_, j) => parts.slice(0, j + 1).join('').length)
      if (cuts.some((c) => c < r.nameEnd || (c > r.numStart && c < r.numEnd))) continue
      quantities.push(strip(r))
      taken = k - i + 1
    }
    if (!taken) rest.push(words[i] ?? '')
    i += taken || 1
  }
  return { quantities, rest }
}

const key = (s: string) => normalize(s).toLowerCase()
const describe = (fig: Figure) => `${fig.label}（${fig.unit}）`

/** Quantities → a kind's figures, in the figure's unit, rounded to 4 decimals, in the order written.
 *  Throws UserError (unknown name, unit that does not fit, negative or > 1e9, a figure twice). */
export function toFigures(kind: RecordKind, quantities: Quantity[]): { figure: Figure; value: number; detail?: string }[] {
  const figures = (FIGURES_BY_KIND[kind] ?? []) as readonly Figure[]
  const menu = `${kind}可以写：${figures.map(describe).join('、')}。`
  const out: { figure: Figure; value: number; detail?: string }[] = []
  for (const q of quantities) {
    const written = `${q.name}${formatAmount(q.value, q.unit)}`
    const unit = UNIT.get(q.unit)
    if (!unit) throw new UserError(`「${written}」的单位「${q.unit}」不认识。${menu}`)
    const sameMeasure = figures.filter((fig) => fig.measure === unit.measure)
    const named = figures.find((fig) => [fig.label, ...fig.names].some((n) => key(n) === key(q.name)))
    // Only one figure takes this unit: "3场" is 会议; "小叶丁香20万株" is 种植, detail 小叶丁香.
    const only = sameMeasure.length === 1 && (q.name === '' || sameMeasure[0]?.anyName) ? sameMeasure[0] : undefined
    const figure = named ?? only
    const detail = !named && q.name ? q.name : undefined
    if (!figure) throw new UserError(q.name ? `「${q.name}」不是${kind}的项目。${menu}` : `「${written}」没写是哪一项。${menu}`)
    if (figure.measure !== unit.measure) throw new UserError(`「${figure.label}」按${figure.unit}计，不能用「${q.unit}」。`)
    const value = round((q.value * unit.size) / (UNIT.get(figure.unit)?.size ?? NaN), 4)
    if (!Number.isFinite(value) || value > 1e9) throw new UserError(`「${written}」这个数太大了，请核对。`)
    if (value < 0) throw new UserError(`「${written}」：${figure.label}不能是负数。`)
    if (out.some((o) => o.figure.key === figure.key)) throw new UserError(`「${figure.label}」写了两次，请合成一个数。`)
    out.push({ figure, value, ...(detail ? { detail } : {}) })
  }
  return out
}

/** A value in its unit as people write it: 0.5公里, 20万株, 1300人次. parseQuantity reads it back. */
export function formatAmount(value: number, unit: string): string {
  if (!Number.isFinite(value)) return `${value}${unit}`
  const v = round(value, 4) || 0 // -0 → 0
  // Whole hundreds from 10万 up are written in 万 (200000 → 20万), whole millions from 1亿 up in 亿;
  // not for money (accounts write 10000元 in full) nor before 万元/千米, where 万/千 would be a multiplier.
  const [big, size] = Math.abs(v) >= 1e8 && v % 1e6 === 0 ? ['亿', 1e8] : ['万', 1e4]
  const short = Math.abs(v) >= 1e5 && Number.isInteger(v) && v % (size / 100) === 0 && !/^[万千元]/.test(unit)
  return `${short ? `${v / size}${big}` : v}${unit}`
}
