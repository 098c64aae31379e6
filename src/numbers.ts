// The one number reader: every argument that holds a number (deadlines, problem numbers,
// extension days, months, funds, quantities) reads "15", "十五", "两", "一千五", "1.2万" here.
// Written by hand: nzh's decodeS reads "一千五" as 1005 and "二〇二四" as 224.

export type Approx = '余' | '多' | '+'

const DIGIT: Record<string, number> = { 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 }
const SMALL: Record<string, number> = { 十: 10, 百: 100, 千: 1000 }
const MAG: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 1e4, 亿: 1e8 }
const APPROX_AFTER = /[余多+]/

/** The characters a written number may hold, for callers that look for where one begins. */
export const NUMBER_CHAR = /[0-9.,零〇一二两三四五六七八九十百千万亿点余多+]/
/** Only number characters: a word like this is a malformed number, not a name ("十十"). */
export const ONLY_NUMBER_CHARS = /^[0-9.,零〇一二两三四五六七八九十百千万亿点余多+]+$/

export const round = (x: number, places: number) => Number(x.toFixed(places))

/** NFKC (full-width digits and letters, ㎞, ：) and no spaces, so "１２ 吨" reads as "12吨". */
export const normalize = (s: string) => s.normalize('NFKC').replace(/[\s\u200b-\u200d\ufeff]+/gu, '')

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

/** Chinese numerals: "十五", "两千", "一万二", "三点五", "二〇二四". */
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

/** A whole numeric run, Arabic or Chinese: "15", "十五", "1300余", "1.2万", "20余万", "三点五", "100+", ".5", "1,300". */
export function readNumber(written: string): { value: number; approx?: Approx } | undefined {
  const text = normalize(written)
  const i = text.search(APPROX_AFTER)
  const approx = i < 0 ? undefined : (text[i] as Approx)
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
  return value === undefined || !Number.isFinite(value) ? undefined : { value: round(value, 6), ...(approx ? { approx } : {}) }
}

/** A whole number written exactly (no 余/多, no decimals): "12", "十二", "两". */
export function readWholeNumber(written: string): number | undefined {
  const n = readNumber(written)
  return n && !n.approx && Number.isSafeInteger(n.value) && n.value >= 0 ? n.value : undefined
}
