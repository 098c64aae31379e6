// The one quantity parser of the campaign commands: "垃圾12吨", "边沟 0.5 公里", "二十万株",
// "1300余人次", "240L垃圾桶18套" → name, value, unit; then onto a record kind's figures.
//
// A quantity reads from its END: unit, then the number before it, then an optional 近/约 and sign;
// whatever is left is the name. Reading from the end is what keeps digits inside a name
// ("240L垃圾桶18套") in the name: the number is only the numeric run just before the unit.
import { FIGURES_BY_KIND, MEASURES, type Figure, type Measure, type RecordKind } from './figures.ts'
import { UserError } from '../errors.ts'

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

const DIGIT: Record<string, number> = { 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }
const SMALL: Record<string, number> = { 十: 10, 百: 100, 千: 1000 }
const MAG: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 1e4, 亿: 1e8 }
const NUM_CHAR = /[0-9.,零〇一二两三四五六七八九十百千万亿点余多+]/
const APPROX_AFTER = /[余多+]/
const APPROX_BEFORE = ['大约', '将近', '约', '近'] as const

const round = (x: number, places: number) => Number(x.toFixed(places))

/** NFKC (full-width digits and letters, ㎞, ：) and no spaces, so "１２ 吨" reads as "12吨". */
const normalize = (s: string) => s.normalize('NFKC').replace(/[\s\u200b-\u200d\ufeff]+/gu, '')

/** A section below 10000: "二千零五十", "十二", and the spoken "一千五" (= 1500), "一百二" (= 120). */
function section(s: string): number | undefined {
  let total = 0, digit: number | undefined, last = 1e4, zero = false
  for (const ch of s) {
    const d = DIGIT[ch], u = SMALL[ch]
    if (d !== undefined && digit !== undefined) return undefined // "三三" only as plain digits
    if (d === 0) zero = true
    else if (d !== undefined) digit = d
    else if (u !== undefined && u < last && (digit !== undefined || (u === 10 && last === 1e4))) {
      total += (digit ?? 1) * u
      ;[last, digit, zero] = [u, undefined, false]
    } else return undefined
  }
  // A digit right after 千/百 without 零 is spoken shorthand for the next unit down.
  return total + (digit ?? 0) * (zero || last === 1e4 ? 1 : last / 10)
}

/** Chinese numerals. Written by hand: nzh's decodeS reads "一千五" as 1005 and "二〇二四" as 224. */
function chinese(text: string): number | undefined {
  const [int = '', frac, extra] = text.replace(/两/g, '二').replace(/〇/g, '零').split('点')
  const digits = (s: string) => (/^[零一二三四五六七八九]+$/.test(s) ? [...s].map((c) => DIGIT[c]).join('') : undefined)
  const fracDigits = frac === undefined ? '0' : digits(frac)
  if (extra !== undefined || int === '' || fracDigits === undefined) return undefined
  const plain = digits(int) // "二〇二四" = 2024
  if (plain !== undefined) return Number(`${plain}.${fracDigits}`)
  let total = 0, rest = int
  for (const [big, size] of [['亿', 1e8], ['万', 1e4]] as const) {
    const parts = rest.split(big)
    if (parts.length > 2) return undefined
    if (parts.length < 2) continue
    const high = section(parts[0] ?? '')
    if (!high) return undefined
    total += high * size
    rest = parts[1] ?? ''
    const d = DIGIT[rest] // "一万二" = 12000
    if (d && rest.length === 1 && frac === undefined) return total + (d * size) / 10
  }
  const low = section(rest)
  return low === undefined ? undefined : total + low + Number(`0.${fracDigits}`)
}

/** A whole numeric run: "1300余", "1.2万", "20余万", "二十万", "三点五", "100+", ".5", "1,300". */
function numeral(text: string): { value: number; approx?: Quantity['approx'] } | undefined {
  const i = text.search(APPROX_AFTER)
  const approx = i < 0 ? undefined : (text[i] as '余' | '多' | '+')
  let core = i < 0 ? text : text.slice(0, i)
  let mags = i < 0 ? '' : text.slice(i + 1) // "20余万": 万 after the qualifier
  if (!/^[万亿]*$/.test(mags)) return undefined
  let value: number | undefined
  const arabic = /^(\d{1,3}(?:,\d{3})+|\d*)(?:\.(\d+))?([十百千万亿]*)$/.exec(core)
  if (arabic && (arabic[1] || arabic[2])) {
    value = Number(`${(arabic[1] ?? '').replace(/,/g, '') || '0'}.${arabic[2] ?? '0'}`)
    mags = (arabic[3] ?? '') + mags
  } else {
    const point = /点[^万亿]*([万亿]+)$/.exec(core) // "三点五万": 万 multiplies the decimal
    if (point?.[1]) [core, mags] = [core.slice(0, -point[1].length), point[1] + mags]
    value = chinese(core)
  }
  for (const m of mags) value = value === undefined ? undefined : value * (MAG[m] ?? NaN)
  return value === undefined || !Number.isFinite(value) ? undefined : { value: round(value, 6), approx }
}

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
    while (runStart > 0 && end - runStart < 40 && NUM_CHAR.test(body[runStart - 1] ?? '')) runStart-- // 40: keeps it linear
    // The longest numeric suffix that reads as a number; a digit may not precede it ("12,3").
    for (let start = runStart; start < end; start++) {
      if (/[0-9.,]/.test(body[start - 1] ?? '')) continue
      const n = numeral(body.slice(start, end))
      if (!n) continue
      let p = start, sign = 1, approx = n.approx ?? tailApprox
      if (/[-−负]/.test(body[p - 1] ?? '')) [p, sign] = [p - 1, -1]
      const before = APPROX_BEFORE.find((a) => body.slice(0, p).endsWith(a))
      if (before) [p, approx] = [p - before.length, approx ?? (before.slice(-1) as '近' | '约')]
      const name = body.slice(0, p).replace(/^[:=,、;]+|[:=,、;~—]+$/g, '')
      if (/^[0-9.,零〇一二两三四五六七八九十百千万亿点余多+]+$/.test(name)) break // a malformed number ("十十吨")
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
