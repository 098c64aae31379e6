// One number reader for every argument: deadlines, problem numbers, extension days, funds and
// quantities read 十五, 两, 二十 and 15 alike. Phrasings as cadres write them in the groups.
import { describe, expect, it } from 'vitest'
import { readQuantities, toFigures } from '../../src/campaign/quantity.ts'
import type { RecordKind } from '../../src/campaign/figures.ts'
import { Township } from '../../src/config/township.ts'
import { UserError } from '../../src/errors.ts'
import { readNumber } from '../../src/numbers.ts'
import { Args, normalizeText } from '../../src/registry/index.ts'
import { formatDate } from '../../src/time.ts'
import { exampleConfig } from '../support/township.ts'

const township = new Township(exampleConfig())
const args = (text: string) => new Args(normalizeText(text), township)
// Monday 30 November 2026, 10:00 in the township.
const MONDAY = new Date('2026-11-30T02:00:00Z')
const deadlineOf = (text: string, now = MONDAY) => {
  const d = args(text).deadline(now)
  return d && formatDate(d)
}
const errorOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(UserError)
    return (e as Error).message
  }
  throw new Error('expected a UserError')
}

describe('readNumber', () => {
  it.each<[string, number]>([
    ['15', 15], ['十五', 15], ['两', 2], ['二', 2], ['十', 10], ['二十', 20], ['二十五', 25], ['三十', 30],
    ['一百零五', 105], ['一千五', 1500], ['１５', 15], ['0.5', 0.5], ['一万', 10000],
  ])('%s → %d', (text, value) => expect(readNumber(text)?.value).toBe(value))

  it.each(['', '十十', '十百', 'abc', '15天'])('%s is not a number', (text) => expect(readNumber(text)).toBeUndefined())
})

describe('deadlines, read on a Monday (11月30日)', () => {
  it.each<[string, string]>([
    ['限期十五天', '12月15日'],
    ['限期15天', '12月15日'],
    ['限期：15天', '12月15日'],
    ['限期 15天', '12月15日'],
    ['限期 十五天', '12月15日'],
    ['限期15天内', '12月15日'],
    ['限期十五天内', '12月15日'],
    ['限期15日内', '12月15日'],
    ['限期十五日', '12月15日'],
    ['限期１５天', '12月15日'],
    ['限期三天', '12月3日'],
    ['限期两天', '12月2日'],
    ['限期10天', '12月10日'],
    ['限期十天', '12月10日'],
    ['限期二十天', '12月20日'],
    ['限期20天', '12月20日'],
    ['限期三十天', '12月30日'],
    ['限期两周', '12月14日'],
    ['限期2周', '12月14日'],
    ['限期一周', '12月7日'],
    ['限期一个星期', '12月7日'],
    ['限期两个礼拜', '12月14日'],
    ['限期半个月', '12月15日'],
    ['限期一个月', '12月30日'],
    ['限期1个月', '12月30日'],
    ['限期两个月', '1月30日'],
    ['限期12月5日', '12月5日'],
    ['限期12月5号', '12月5日'],
    ['限期十二月五日', '12月5日'],
    ['限期12月5日前', '12月5日'],
    ['限期12.5', '12月5日'],
    ['限期12/5', '12月5日'],
    ['限期2026年12月5日', '12月5日'],
    ['限期5号', '12月5日'],
    ['限期下周五', '12月11日'],
    ['限期下星期一', '12月7日'],
    ['限期本周五', '12月4日'],
    ['限期这周五', '12月4日'],
    ['限期周五', '12月4日'],
    ['限期星期五', '12月4日'],
    ['限期周日', '12月6日'],
    ['限期今天', '11月30日'],
    ['限期明天', '12月1日'],
    ['限期后天', '12月2日'],
    ['限期月底', '11月30日'],
    ['限期下月底', '12月31日'],
    ['限期年底', '12月31日'],
  ])('%s → %s', (text, date) => expect(deadlineOf(text)).toBe(date))

  it('leaves the other words alone and is undefined when no deadline is written', () => {
    const a = args('三组路边垃圾堆放 限期十五天 责任人钱永福')
    expect(formatDate(a.deadline(MONDAY)!)).toBe('12月15日')
    expect(a.rest()).toBe('三组路边垃圾堆放 责任人钱永福')
    expect(args('三组路边垃圾堆放').deadline(MONDAY)).toBeUndefined()
  })

  it('a date already past this year is next year; 下周五 on a Friday is a week on', () => {
    expect(args('限期11月1日').deadline(MONDAY)!.toISOString()).toBe('2027-11-01T15:59:59.999Z')
    expect(deadlineOf('限期下周五', new Date('2026-12-04T02:00:00Z'))).toBe('12月11日')
    expect(deadlineOf('限期周五', new Date('2026-12-04T02:00:00Z'))).toBe('12月4日')
  })

  it.each<[string, RegExp]>([
    ['限期0天', /限期至少 1 天/],
    ['限期400天', /限期最长 365 天/],
    ['限期2月30日', /「2月30日」不是有效的日期/],
    ['限期13月40日', /「13月40日」不是有效的日期/],
    ['限期2025年12月5日', /已经过了/],
    ['限期尽快', /没看懂「限期尽快」。限期请写成「限期15天」「限期两周」「限期一个月」「限期12月5日」或「限期下周五」/],
    ['限期十十天', /没看懂「限期十十天」/],
  ])('%s is refused, saying how to write it', (text, message) => expect(errorOf(() => args(text).deadline(MONDAY))).toMatch(message))

  it('a saturday cannot have 本周五 any more', () => {
    expect(errorOf(() => args('限期本周五').deadline(new Date('2026-12-05T02:00:00Z')))).toMatch(/本周五已经过了/)
  })
})

describe('problem numbers', () => {
  it.each<[string, number]>([
    ['12', 12], ['#12', 12], ['12号', 12], ['No.12', 12], ['编号12', 12], ['＃12', 12], ['十二号', 12], ['第12号', 12], ['第十二号', 12], ['一百零五号', 105], ['两号', 2],
  ])('%s → %d', (text, id) => expect(args(text).number()).toBe(id))

  it('a Chinese numeral without 号 is a word, not a number (三 处 in a note)', () => {
    expect(args('三 处垃圾').number()).toBeUndefined()
  })
})

describe('extension days', () => {
  it.each<[string, number]>([['5天', 5], ['五天', 5], ['十五天', 15], ['两周', 14], ['一周', 7], ['10日', 10]])('%s → %d', (text, days) => expect(args(text).days()).toBe(days))
})

describe('quantities and funds read numbers the same way', () => {
  const read = (kind: RecordKind, text: string) => toFigures(kind, readQuantities(normalizeText(text).split(' ')).quantities).map((f) => [f.figure.label, f.value])
  it.each<[RecordKind, string, [string, number][]]>([
    ['清运', '垃圾十五吨', [['垃圾', 15]]],
    ['清运', '垃圾15吨', [['垃圾', 15]]],
    ['清运', '边沟两公里', [['边沟', 2]]],
    ['清运', '柴草垛十二处 路障两个', [['柴草垛', 12], ['路障', 2]]],
    ['清运', '畜禽粪便二十吨', [['畜禽粪便', 20]]],
    ['资金', '拨付一万元', [['拨付', 10000]]],
    ['资金', '拨付1.5万元', [['拨付', 15000]]],
    ['资金', '奖励五百元', [['奖励', 500]]],
    ['宣传', '宣传单一百五十份', [['宣传单', 150]]],
    ['活动', '出动一千三百余人次 志愿者一百七十五人', [['出动', 1300], ['志愿者', 175]]],
  ])('%s %s', (kind, text, expected) => expect(read(kind, text)).toEqual(expected))
})
