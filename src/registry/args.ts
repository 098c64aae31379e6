// Reading a command's words: villages, problem numbers, fixed words, patterns. Each `take`
// removes what it recognised, so words may come in any order and a completion appended
// later ("12" after a question) is read the same way.
import type { Township } from '../config/township.ts'
import { endOfDate, endOfDayAfter } from '../time.ts'
import { ArgumentError } from './errors.ts'
import { tokenize } from './text.ts'

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 }

export class Args {
  private words: string[]

  constructor(
    text: string,
    private readonly township: Township,
  ) {
    this.words = tokenize(text)
  }

  get remaining(): readonly string[] {
    return this.words
  }

  /**
   * The first word naming a village (exact name, name without 村, alias); a word glued to a
   * village name ("卫华村三组垃圾") is split. A near miss stops with a suggestion.
   */
  village(): string | undefined {
    for (const [i, word] of this.words.entries()) {
      const m = this.township.matchVillage(word)
      if (m.kind === 'found') return this.removeAt(i, m.village)
    }
    for (const [i, word] of this.words.entries()) {
      const prefix = this.township.villageNames.find((v) => word.startsWith(v) && word.length > v.length)
      if (prefix) {
        this.words[i] = word.slice(prefix.length)
        return prefix
      }
    }
    for (const word of this.words) {
      const m = this.township.matchVillage(word)
      if (m.kind === 'suggest') throw new ArgumentError(`没有找到「${word}」。您是说「${m.village}」吗？`)
    }
    return undefined
  }

  /**
   * A problem number: 12, #12, 12号, No.12. With `before`, only a number standing before
   * the first of those words counts, so figures inside a note ("清理了 3 车") are not taken.
   */
  number(before: readonly string[] = []): number | undefined {
    const stop = this.words.findIndex((w) => before.includes(w))
    const i = this.words.findIndex((w, j) => (stop < 0 || j < stop) && /^(#|No\.?|编号)?\d{1,7}号?$/i.test(w))
    if (i < 0) return undefined
    return Number(this.removeAt(i, this.words[i]!).replace(/\D/g, ''))
  }

  /** A deadline: 限期5天, 限期五天, 限期11月30日 (the end of that township day); undefined when none is written. */
  deadline(now: Date): Date | undefined {
    const days = this.match(/^限期:?(\d{1,3}|[一二两三四五六七八九十])天?$/)
    if (days) return endOfDayAfter(now, Number(days[1]) || CHINESE_DIGITS[days[1]!]!)
    const date = this.match(/^限期:?(\d{1,2})[月.\/-](\d{1,2})日?$/)
    if (date) {
      const [month, day] = [Number(date[1]), Number(date[2])]
      if (month < 1 || month > 12 || day < 1 || day > 31) throw new ArgumentError(`「${date[0]}」不是有效的日期。`)
      return endOfDate(now, month, day)
    }
    const loose = this.match(/^限期/)
    if (loose) throw new ArgumentError(`没看懂「${loose.input}」。限期请写成「限期5天」或「限期11月30日」。`)
    return undefined
  }

  /** A 随手拍 number: R3, r3, #R3. */
  reportNumber(): number | undefined {
    const m = this.match(/^#?R(\d{1,7})$/i)
    return m ? Number(m[1]) : this.number()
  }

  /** The first word that is one of `choices`. */
  oneOf<T extends string>(choices: readonly T[]): T | undefined {
    const i = this.words.findIndex((w) => (choices as readonly string[]).includes(w))
    return i < 0 ? undefined : (this.removeAt(i, this.words[i]!) as T)
  }

  /** The first word matching `pattern`, e.g. /^限期(\d+)天$/; returns the match. */
  match(pattern: RegExp): RegExpMatchArray | undefined {
    for (const [i, word] of this.words.entries()) {
      const m = word.match(pattern)
      if (m) {
        this.removeAt(i, word)
        return m
      }
    }
    return undefined
  }

  /** Everything not yet taken, as one text (undefined when nothing is left). */
  rest(): string | undefined {
    const text = this.words.join(' ')
    this.words = []
    return text.length > 0 ? text : undefined
  }

  private removeAt<T>(i: number, value: T): T {
    this.words.splice(i, 1)
    return value
  }
}
