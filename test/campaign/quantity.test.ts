import fc from 'fast-check'
import Nzh from 'nzh'
import { describe, expect, it } from 'vitest'
import { FIGURES_BY_KIND, MEASURES, RECORD_KINDS, type Figure, type RecordKind } from '../../src/campaign/figures.ts'
import { formatAmount, parseQuantity, readQuantities, toFigures, type Quantity } from '../../src/campaign/quantity.ts'
import { UserError } from '../../src/errors.ts'

const figuresOf = (kind: RecordKind) => FIGURES_BY_KIND[kind] as readonly Figure[]
const allFigures = RECORD_KINDS.flatMap((kind) => figuresOf(kind).map((figure) => ({ kind, figure })))
const sizeOf = (unit: string) => Object.values(MEASURES).map((m) => (m as Record<string, number>)[unit]).find((s) => s !== undefined)
/** What a command does with a message's words. */
const figures = (kind: RecordKind, text: string) => {
  const { quantities, rest } = readQuantities(text.split(' '))
  return { rest, figures: toFigures(kind, quantities).map((f) => ({ key: f.figure.key, value: f.value, ...(f.detail ? { detail: f.detail } : {}) })) }
}
const userError = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(UserError)
    return (e as Error).message
  }
  throw new Error('expected a UserError')
}

describe('parseQuantity', () => {
  it.each<[string, Quantity]>([
    ['垃圾12吨', { name: '垃圾', value: 12, unit: '吨' }],
    ['12 吨', { name: '', value: 12, unit: '吨' }],
    ['十二吨', { name: '', value: 12, unit: '吨' }],
    ['0.5公里', { name: '', value: 0.5, unit: '公里' }],
    ['.5吨', { name: '', value: 0.5, unit: '吨' }],
    ['500米', { name: '', value: 500, unit: '米' }],
    ['20万株', { name: '', value: 200000, unit: '株' }],
    ['1300余人次', { name: '', value: 1300, unit: '人次', approx: '余' }],
    ['5000多延长米', { name: '', value: 5000, unit: '延长米', approx: '多' }],
    ['近20立方米', { name: '', value: 20, unit: '立方米', approx: '近' }],
    ['约3吨', { name: '', value: 3, unit: '吨', approx: '约' }],
    ['大约3吨', { name: '', value: 3, unit: '吨', approx: '约' }],
    ['3吨左右', { name: '', value: 3, unit: '吨', approx: '约' }],
    ['100+条', { name: '', value: 100, unit: '条', approx: '+' }],
    ['20余万株', { name: '', value: 200000, unit: '株', approx: '余' }],
    ['一千多人次', { name: '', value: 1000, unit: '人次', approx: '多' }],
    ['1.2万元', { name: '', value: 12000, unit: '元' }],
    ['1.2万余元', { name: '', value: 12000, unit: '元', approx: '余' }],
    ['3处', { name: '', value: 3, unit: '处' }],
    ['二十万株', { name: '', value: 200000, unit: '株' }],
    ['小叶丁香20万株', { name: '小叶丁香', value: 200000, unit: '株' }],
    ['１２吨', { name: '', value: 12, unit: '吨' }],
    ['垃圾　１２　吨', { name: '垃圾', value: 12, unit: '吨' }],
    ['三点五吨', { name: '', value: 3.5, unit: '吨' }],
    ['三点五万元', { name: '', value: 35000, unit: '元' }],
    ['两千人', { name: '', value: 2000, unit: '人' }],
    ['一千零五人', { name: '', value: 1005, unit: '人' }],
    ['一千五人', { name: '', value: 1500, unit: '人' }], // spoken: 一千五 = 1500 (nzh says 1005)
    ['一万二株', { name: '', value: 12000, unit: '株' }],
    ['一亿二千万元', { name: '', value: 120000000, unit: '元' }],
    ['九亿零十万元', { name: '', value: 900100000, unit: '元' }],
    ['二〇二四延长米', { name: '', value: 2024, unit: '延长米' }],
    ['1,300人次', { name: '', value: 1300, unit: '人次' }],
    ['240L垃圾桶18套', { name: '240L垃圾桶', value: 18, unit: '套' }],
    ['30L垃圾桶685个', { name: '30L垃圾桶', value: 685, unit: '个' }],
    ['２４０Ｌ垃圾桶１８套', { name: '240L垃圾桶', value: 18, unit: '套' }],
    ['门前三包800份', { name: '门前三包', value: 800, unit: '份' }],
    ['垃圾：12吨', { name: '垃圾', value: 12, unit: '吨' }],
    ['秋千3个', { name: '秋千', value: 3, unit: '个' }],
    ['剩余3吨', { name: '剩余', value: 3, unit: '吨' }],
    ['垃圾-5吨', { name: '垃圾', value: -5, unit: '吨' }],
    ['5km', { name: '', value: 5, unit: '公里' }],
    ['5KM', { name: '', value: 5, unit: '公里' }],
    ['5㎞', { name: '', value: 5, unit: '公里' }],
    ['500m', { name: '', value: 500, unit: '米' }],
    ['3t', { name: '', value: 3, unit: '吨' }],
    ['3kg', { name: '', value: 3, unit: '公斤' }],
    ['20立方', { name: '', value: 20, unit: '立方米' }],
    ['5千米', { name: '', value: 5000, unit: '米' }], // 千 read as ×1000: the same length as 5 千米
    ['5千克', { name: '', value: 5, unit: '千克' }],
  ])('%s', (text, expected) => {
    expect(parseQuantity(text)).toEqual(expected)
  })

  it('reads every unit of MEASURES', () => {
    for (const units of Object.values(MEASURES))
      for (const unit of Object.keys(units)) {
        // 万 and 千 before a unit are read as multipliers: the same amount.
        const expected = { 万元: { value: 30000, unit: '元' }, 千米: { value: 3000, unit: '米' }, 立方: { value: 3, unit: '立方米' } }[unit] ?? { value: 3, unit }
        expect(parseQuantity(`3${unit}`), unit).toEqual({ name: '', ...expected })
      }
  })

  it.each(['垃圾12', '12', '12平方米', '12斤半', '垃圾', '', '吨', '万元', '点五吨', '十十吨', '千百吨', '+5吨', '12,3处', '万吨', '1.2.3吨'])(
    'not a quantity: %s',
    (text) => {
      expect(parseQuantity(text)).toBeUndefined()
    },
  )

  it('reads what nzh writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (n) => {
        expect(parseQuantity(`${Nzh.cn.encodeS(n / 100)}吨`)?.value).toBeCloseTo(n / 100, 6)
      }),
    )
  })
})

describe('readQuantities', () => {
  it('splits a message into quantities and the other words', () => {
    expect(readQuantities('卫华村 垃圾12吨 边沟 0.5 公里 柴草垛3处'.split(' '))).toEqual({
      quantities: [
        { name: '垃圾', value: 12, unit: '吨' },
        { name: '边沟', value: 0.5, unit: '公里' },
        { name: '柴草垛', value: 3, unit: '处' },
      ],
      rest: ['卫华村'],
    })
  })
  it('takes the preceding bare word as the name of a number without one', () => {
    expect(readQuantities(['垃圾', '12吨', '垃圾箱', '近', '20', '次'])).toEqual({
      quantities: [
        { name: '垃圾', value: 12, unit: '吨' },
        { name: '垃圾箱', value: 20, unit: '次', approx: '近' },
      ],
      rest: [],
    })
  })
  it('never joins a name across words, nor numbers across words', () => {
    expect(readQuantities(['卫华村', '垃圾12吨', '12', '3吨', '2024', '卫华村', '垃圾', '5', '吨'])).toEqual({
      quantities: [
        { name: '垃圾', value: 12, unit: '吨' },
        { name: '', value: 3, unit: '吨' },
        { name: '垃圾', value: 5, unit: '吨' },
      ],
      rest: ['卫华村', '12', '2024', '卫华村'],
    })
  })
  it('keeps words with unknown units', () => {
    expect(readQuantities(['卫华村', '12平方米', '垃圾12吨'])).toEqual({ quantities: [{ name: '垃圾', value: 12, unit: '吨' }], rest: ['卫华村', '12平方米'] })
  })
})

describe('toFigures', () => {
  it('reaches every figure by its label and by each of its names, in its own unit', () => {
    for (const { kind, figure } of allFigures)
      for (const word of [figure.label, ...figure.names]) {
        for (const text of [`${word}12${figure.unit}`, `${word} 12 ${figure.unit}`, `${word} 12${figure.unit}`])
          expect(figures(kind, text), `${kind} ${text}`).toEqual({ rest: [], figures: [{ key: figure.key, value: 12 }] })
      }
  })
  it('no word names two figures of one kind', () => {
    for (const kind of RECORD_KINDS) {
      const words = figuresOf(kind).flatMap((f) => [f.label, ...f.names])
      expect(new Set(words).size, kind).toBe(words.length)
    }
  })

  it.each<[RecordKind, string, object[]]>([
    ['清运', '垃圾710吨 边沟47.5公里 路面47.5公里 柴草垛26处 路障17个 畜禽粪便93吨 垃圾箱168次', [
      { key: 'garbage', value: 710 }, { key: 'ditches', value: 47.5 }, { key: 'road', value: 47.5 }, { key: 'haystacks', value: 26 },
      { key: 'roadblocks', value: 17 }, { key: 'manure', value: 93 }, { key: 'bins', value: 168 },
    ]],
    ['活动', '出动1300人次 车辆300车次 道路45公里 边沟5000延长米 栅栏46处 杂草2024延长米', [
      { key: 'people', value: 1300 }, { key: 'vehicles', value: 300 }, { key: 'roads', value: 45 }, { key: 'ditches', value: 5000 },
      { key: 'fences', value: 46 }, { key: 'weeds', value: 2024 },
    ]],
    ['活动', '志愿者175人 小叶丁香20万株 白色垃圾20立方米', [
      { key: 'volunteers', value: 175 }, { key: 'plants', value: 200000, detail: '小叶丁香' }, { key: 'whiteGarbage', value: 20 },
    ]],
    ['活动', '出动1300余人次 边沟 5000多 延长米 白色垃圾近20立方米', [{ key: 'people', value: 1300 }, { key: 'ditches', value: 5000 }, { key: 'whiteGarbage', value: 20 }]],
    ['物资', '240L垃圾桶18套 30L垃圾桶685个 垃圾车6台', [{ key: 'bins240', value: 18 }, { key: 'bins30', value: 685 }, { key: 'trucks', value: 6 }]],
    ['宣传', '宣传单925份 推送100条', [{ key: 'leaflets', value: 925 }, { key: 'pushes', value: 100 }]],
    ['协议', '门前三包800份', [{ key: 'frontDoor', value: 800 }]],
    ['协议', '地头三包200份', [{ key: 'fieldHead', value: 200 }]],
    ['资金', '拨付10000元', [{ key: 'granted', value: 10000 }]],
    ['资金', '拨付1万元 奖励0.35万元', [{ key: 'granted', value: 10000 }, { key: 'paid', value: 3500 }]],
  ])('the brief: /%s %s', (kind, text, expected) => {
    expect(figures(kind, text)).toEqual({ rest: [], figures: expected })
  })

  it('converts units of one measure into the figure\'s unit', () => {
    expect(figures('清运', '边沟500米 路面1里 垃圾3千克 畜禽粪便2斤').figures).toEqual([
      { key: 'ditches', value: 0.5 }, { key: 'road', value: 0.5 }, { key: 'garbage', value: 0.003 }, { key: 'manure', value: 0.001 },
    ])
    expect(figures('活动', '边沟2公里 杂草 1.5 km 白色垃圾3方').figures).toEqual([{ key: 'ditches', value: 2000 }, { key: 'weeds', value: 1500 }, { key: 'whiteGarbage', value: 3 }])
    expect(toFigures('资金', [{ name: '拨付', value: 1.2, unit: '万元' }])[0]?.value).toBe(12000)
    expect(figures('清运', '边沟1米').figures).toEqual([{ key: 'ditches', value: 0.001 }])
    expect(figures('清运', '边沟1.23456公里').figures).toEqual([{ key: 'ditches', value: 1.2346 }])
  })
  it('takes a number without a name when only one figure takes its unit', () => {
    expect(figures('会议', '3场').figures).toEqual([{ key: 'meetings', value: 3 }])
    expect(figures('活动', '20万株').figures).toEqual([{ key: 'plants', value: 200000 }])
    expect(userError(() => figures('宣传', '925份'))).toBe('「925份」没写是哪一项。宣传可以写：宣传单（份）、推送（条）、倡议书（份）。')
  })

  it('explains what is wrong, in Chinese', () => {
    expect(userError(() => figures('清运', '垃圾袋12个'))).toBe(
      '「垃圾袋」不是清运的项目。清运可以写：垃圾（吨）、边沟（公里）、路面（公里）、柴草垛（处）、路障（个）、畜禽粪便（吨）、垃圾箱（次）。',
    )
    expect(userError(() => figures('会议', '开会3场'))).toMatch(/^「开会」不是会议的项目。会议可以写：会议（场）。$/)
    expect(userError(() => figures('清运', '柴草垛3吨'))).toBe('「柴草垛」按处计，不能用「吨」。')
    expect(userError(() => figures('活动', '小叶丁香3吨'))).toMatch(/^「小叶丁香」不是活动的项目。/)
    expect(userError(() => figures('清运', '垃圾-3吨'))).toBe('「垃圾-3吨」：垃圾不能是负数。')
    expect(userError(() => figures('清运', '垃圾20亿吨'))).toBe('「垃圾20亿吨」这个数太大了，请核对。')
    expect(userError(() => figures('清运', '垃圾1吨 生活垃圾2吨'))).toBe('「垃圾」写了两次，请合成一个数。')
    expect(userError(() => toFigures('清运', [{ name: '垃圾', value: 1, unit: '斗' }]))).toMatch(/^「垃圾1斗」的单位「斗」不认识。/)
    expect(userError(() => toFigures('清运', [{ name: '垃圾', value: Number.NaN, unit: '吨' }]))).toMatch(/太大了/)
  })
})

describe('formatAmount', () => {
  it.each<[number, string, string]>([
    [0.5, '公里', '0.5公里'], [200000, '株', '20万株'], [47.5, '公里', '47.5公里'], [710, '吨', '710吨'], [1300, '人次', '1300人次'],
    // Money is written in full, as accounts are; 万 only from 10万 up for other units.
    [12000, '元', '12000元'], [12345, '元', '12345元'], [9900, '元', '9900元'], [1e8, '元', '100000000元'], [2.5e9, '吨', '25亿吨'], [123456700, '元', '123456700元'], [12000, '株', '12000株'], [200000, '株', '20万株'], [0.123456, '吨', '0.1235吨'],
    [1.5, '万元', '1.5万元'], [20000, '万元', '20000万元'], [-0.00001, '吨', '0吨'],
  ])('%s %s → %s', (value, unit, text) => {
    expect(formatAmount(value, unit)).toBe(text)
  })
})

describe('properties', () => {
  const relevant = [...'0123456789.,+-零〇一二两三四五六七八九十百千万亿点余多近约负左右大将吨米公里延长立方元处个人次车株份套台条户场名辆斤克kmtgLK垃圾边沟：:、 　１２']
  const messy = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.array(fc.constantFrom(...relevant), { maxLength: 20 }).map((cs) => cs.join('')),
  )
  const anyFigure = fc.constantFrom(...allFigures)
  const value = fc.integer({ min: 0, max: 10_000_000_000 }).map((n) => n / 100) // ≤ 1e8, ≤ 2 decimals

  it('parseQuantity and readQuantities never throw, and rest is some of the words, in order', () => {
    fc.assert(fc.property(messy, (text) => void parseQuantity(text)), { numRuns: 2000 })
    fc.assert(
      fc.property(fc.array(messy, { maxLength: 8 }), (words) => {
        const { rest } = readQuantities(words)
        let at = 0
        for (const word of rest) at = words.indexOf(word, at) + 1
        expect(at).toBeGreaterThan(rest.length ? 0 : -1)
        expect(rest.every((w) => w !== undefined)).toBe(true)
      }),
      { numRuns: 1000 },
    )
  })

  it('toFigures throws only UserError', () => {
    const units = [...Object.values(MEASURES).flatMap((m) => Object.keys(m)), '', '斗', 'km', '__proto__', 'constructor']
    const names = [...allFigures.flatMap(({ figure }) => [figure.label, ...figure.names]), '', '小叶丁香', 'toString']
    const quantity = fc.record({
      name: fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 5 })),
      value: fc.oneof(fc.double(), fc.integer()),
      unit: fc.oneof(fc.constantFrom(...units), fc.string({ maxLength: 3 })),
    })
    fc.assert(
      fc.property(fc.constantFrom(...RECORD_KINDS), fc.array(quantity, { maxLength: 4 }), (kind, qs) => {
        try {
          for (const f of toFigures(kind, qs)) expect(Number.isFinite(f.value) && f.value >= 0 && f.value <= 1e9).toBe(true)
        } catch (e) {
          expect(e).toBeInstanceOf(UserError)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('round trip: label + formatAmount(v, unit) reads back as v', () => {
    fc.assert(
      fc.property(anyFigure, value, ({ kind, figure }, v) => {
        const text = figure.label + formatAmount(v, figure.unit)
        const q = parseQuantity(text)
        expect(q, text).toMatchObject({ name: figure.label, unit: figure.unit })
        expect(q?.value).toBeCloseTo(v, 6)
        const [got] = toFigures(kind, readQuantities([text]).quantities)
        expect(got?.figure.key).toBe(figure.key)
        expect(got?.value).toBeCloseTo(v, 6)
      }),
      { numRuns: 3000 },
    )
  })

  it('round trip through another unit of the same measure is stable within rounding', () => {
    const pairs = allFigures.flatMap(({ kind, figure }) => Object.keys(MEASURES[figure.measure]).map((other) => ({ kind, figure, other })))
    fc.assert(
      fc.property(fc.constantFrom(...pairs), value, ({ kind, figure, other }, v) => {
        const [own, theirs] = [sizeOf(figure.unit) ?? NaN, sizeOf(other) ?? NaN]
        const text = figure.label + formatAmount((v * own) / theirs, other)
        const [got] = toFigures(kind, readQuantities([text]).quantities)
        expect(got?.figure.key).toBe(figure.key)
        // formatAmount keeps 4 decimals in the other unit; toFigures keeps 4 in the figure's.
        expect(Math.abs((got?.value ?? NaN) - v), text).toBeLessThanOrEqual((0.5e-4 * theirs) / own + 0.5e-4 + 1e-9 * v)
      }),
      { numRuns: 3000 },
    )
  })
})
