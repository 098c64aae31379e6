import { afterEach, describe, expect, it } from 'vitest'
import { monthOf, parseMonth, previousMonth, previousWeek, weekOf } from '../../src/stats/periods.ts'
import { sh } from './fixtures.ts'

const iso = (d: Date) => d.toISOString()

describe('weekOf', () => {
  it('is the ISO week, Monday 00:00 to Monday 00:00 in Shanghai', () => {
    const w = weekOf(sh('2026-12-03 12:00'))
    expect(w.key).toBe('2026-W49')
    expect(iso(w.start)).toBe('2026-11-29T16:00:00.000Z') // Monday 11-30 00:00 Shanghai
    expect(iso(w.end)).toBe('2026-12-06T16:00:00.000Z') // Monday 12-07 00:00 Shanghai
    expect(w.label).toBe('11月30日—12月6日')
  })

  it('puts Monday 00:30 Shanghai (Sunday 16:30 UTC) in the new week', () => {
    const mondayEarly = new Date('2026-11-29T16:30:00Z')
    expect(weekOf(mondayEarly).key).toBe('2026-W49')
    expect(weekOf(new Date('2026-11-29T15:59:59.999Z')).key).toBe('2026-W48') // Sunday 23:59:59.999 Shanghai
    expect(weekOf(new Date('2026-11-29T16:00:00.000Z')).key).toBe('2026-W49') // the boundary itself
    // Sunday 23:30 Shanghai is Sunday 15:30 UTC: still the old week.
    expect(weekOf(sh('2026-12-06 23:30')).key).toBe('2026-W49')
  })

  it('numbers weeks around New Year by ISO week-year', () => {
    expect(weekOf(sh('2026-12-31 12:00')).key).toBe('2026-W53') // 2026 starts on a Thursday: 53 weeks
    expect(weekOf(sh('2027-01-03 23:59')).key).toBe('2026-W53')
    expect(weekOf(sh('2026-12-28 00:00')).label).toBe('12月28日—1月3日')
    expect(weekOf(sh('2027-01-04 00:00')).key).toBe('2027-W01')
    expect(weekOf(sh('2025-12-29 08:00')).key).toBe('2026-W01')
    expect(weekOf(sh('2021-01-03 12:00')).key).toBe('2020-W53')
    expect(weekOf(sh('2024-12-30 12:00')).key).toBe('2025-W01')
  })

  it('steps back one week', () => {
    const w = previousWeek(weekOf(sh('2026-12-03 12:00')))
    expect(w.key).toBe('2026-W48')
    expect(w.label).toBe('11月23日—11月29日')
    expect(w.end).toEqual(weekOf(sh('2026-12-03 12:00')).start)
    expect(previousWeek(weekOf(sh('2027-01-05 12:00'))).key).toBe('2026-W53')
  })

  describe('whatever the server time zone', () => {
    const saved = process.env.TZ
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ
      else process.env.TZ = saved
    })
    it.each(['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC'])('%s', (tz) => {
      process.env.TZ = tz
      const w = weekOf(new Date('2026-11-29T16:30:00Z'))
      expect([w.key, iso(w.start), iso(w.end), w.label]).toEqual(['2026-W49', '2026-11-29T16:00:00.000Z', '2026-12-06T16:00:00.000Z', '11月30日—12月6日'])
      const m = monthOf(new Date('2026-11-30T16:30:00Z'))
      expect([m.key, iso(m.start), iso(m.end)]).toEqual(['2026-12', '2026-11-30T16:00:00.000Z', '2026-12-31T16:00:00.000Z'])
    })
  })
})

describe('monthOf', () => {
  it('is the calendar month in Shanghai', () => {
    const m = monthOf(sh('2026-11-15 12:00'))
    expect(m).toEqual({ key: '2026-11', start: new Date('2026-10-31T16:00:00Z'), end: new Date('2026-11-30T16:00:00Z'), label: '2026年11月' })
  })

  it('puts the 1st 00:30 Shanghai (still the previous day in UTC) in the new month', () => {
    expect(monthOf(new Date('2026-11-30T16:30:00Z')).key).toBe('2026-12')
    expect(monthOf(new Date('2026-11-30T15:59:59.999Z')).key).toBe('2026-11')
  })

  it('steps back across the year', () => {
    const jan = monthOf(sh('2027-01-01 00:00'))
    expect(jan.key).toBe('2027-01')
    const dec = previousMonth(jan)
    expect(dec).toEqual({ key: '2026-12', start: new Date('2026-11-30T16:00:00Z'), end: new Date('2026-12-31T16:00:00Z'), label: '2026年12月' })
  })
})

describe('parseMonth', () => {
  const december = sh('2026-12-05 10:00')
  it('takes a bare month as the most recent one that has begun', () => {
    expect(parseMonth('11月', december)?.key).toBe('2026-11')
    expect(parseMonth('12月', december)?.key).toBe('2026-12')
    expect(parseMonth('1月', december)?.key).toBe('2026-01')
    expect(parseMonth('12月', sh('2027-01-10 10:00'))?.key).toBe('2026-12')
    expect(parseMonth('1月份', sh('2027-01-10 10:00'))?.key).toBe('2027-01')
  })

  it('reads "now" in Shanghai: 1 December 00:30 there is still 30 November in UTC', () => {
    expect(parseMonth('12月', new Date('2026-11-30T16:30:00Z'))?.key).toBe('2026-12')
  })

  it('takes a year as written', () => {
    expect(parseMonth('2026年11月', december)?.label).toBe('2026年11月')
    expect(parseMonth('2026-11', december)?.key).toBe('2026-11')
    expect(parseMonth('2025-3', december)?.key).toBe('2025-03')
    expect(parseMonth('２０２６年１１月', december)?.key).toBe('2026-11')
    expect(parseMonth(' 2026 年 11 月 ', december)?.key).toBe('2026-11')
    expect(parseMonth('2026/11', december)?.key).toBe('2026-11')
    expect(parseMonth('十一月', december)?.key).toBe('2026-11')
    expect(parseMonth('2026年十二月', december)?.key).toBe('2026-12')
  })

  it('knows 本月 and 上月', () => {
    expect(parseMonth('本月', december)?.key).toBe('2026-12')
    expect(parseMonth('上月', sh('2027-01-10 10:00'))?.key).toBe('2026-12')
  })

  it('rejects what is not a month', () => {
    for (const text of ['13月', '0月', '2026-13', '十三月', '', 'abc', '11', '2026年']) expect(parseMonth(text, december)).toBeUndefined()
  })
})
