// Reading a command's words: villages, problem numbers, fixed words, patterns. Each `take`
// removes what it recognised, so words may come in any order and a completion appended
// later ("12" after a question) is read the same way.
import type { Township } from '../config/township.ts'
import { readWholeNumber } from '../numbers.ts'
import { readDays, readDeadline } from './deadline.ts'
import { ArgumentError, Suggestion } from './errors.ts'
import { tokenize } from './text.ts'

const MAX_PROBLEM_NUMBER = 9_999_999

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
      if (m.kind === 'suggest') throw new Suggestion(`没有找到「${word}」。您是说「${m.village}」吗？`, word, m.village)
    }
    return undefined
  }

  /**
   * A problem number: 12, #12, 12号, No.12, 编号12, 第12号, and in Chinese with 号 (十二号: a bare
   * 三 is a word). With `before`, only a number standing before the first of those words counts,
   * so figures inside a note ("清理了 3 车") are not taken.
   */
  number(before: readonly string[] = []): number | undefined {
    const stop = this.words.findIndex((w) => before.includes(w))
    for (const [i, word] of this.words.entries()) {
      if (stop >= 0 && i >= stop) break
      const m = /^(?:#|No\.?|编号|第)?(.+?)(号)?$/i.exec(word)
      const written = m?.[1] ?? ''
      const n = /^\d+$/.test(written) || m?.[2] ? readWholeNumber(written) : undefined
      if (n !== undefined && n <= MAX_PROBLEM_NUMBER) return this.removeAt(i, n)
    }
    return undefined
  }

  /**
   * A deadline: 限期15天, 限期十五天, 限期两周, 限期一个月, 限期12月5日, 限期下周五 (the end of that
   * township day; "限期 15天" with a space too); undefined when none is written.
   */
  deadline(now: Date): Date | undefined {
    const i = this.words.findIndex((w) => w.startsWith('限期'))
    if (i < 0) return undefined
    const alone = /^限期[:为]?$/.test(this.words[i]!) && i + 1 < this.words.length
    const word = alone ? `限期${this.words[i + 1]}` : this.words[i]!
    this.words.splice(i, alone ? 2 : 1)
    return readDeadline(word, now)
  }

  /** A span of days: 5天, 五天, 两周; for an extension. */
  days(): number | undefined {
    for (const [i, word] of this.words.entries()) {
      const days = readDays(word)
      if (days !== undefined) return this.removeAt(i, days)
    }
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
