import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Township } from '../src/config/township.ts'
import { Args, normalizeText, splitCommand } from '../src/registry/index.ts'
import { commands } from '../commands/index.ts'
import { Registry } from '../src/registry/index.ts'
import { exampleConfig } from './support/township.ts'

const words = new Registry(commands).words

describe('normalizeText', () => {
  it('turns full-width slash, colon, digits and spaces into plain ones', () => {
    expect(normalizeText('／整改：卫华村\u3000１２　已完成')).toBe('/整改:卫华村 12 已完成')
  })
  it('drops control and zero-width characters and collapses spaces', () => {
    expect(normalizeText(' /台账\u0000\u200b  卫华村\n\t')).toBe('/台账 卫华村')
  })
})

describe('splitCommand', () => {
  it.each([
    ['/整改 卫华村 已完成', { slash: true, head: '整改', rest: '卫华村 已完成' }],
    ['整改 卫华村 已完成', { slash: false, head: '整改', rest: '卫华村 已完成' }],
    ['/整改:卫华村 已完成', { slash: true, head: '整改', rest: '卫华村 已完成' }],
    ['/整改卫华村 已完成', { slash: true, head: '整改', rest: '卫华村 已完成' }],
    ['/ 统计', { slash: true, head: '统计', rest: '' }],
    ['\\统计', { slash: true, head: '统计', rest: '' }],
  ])('reads %s', (text, expected) => {
    expect(splitCommand(normalizeText(text), words)).toEqual(expected)
  })
  it('leaves ordinary chat alone when there is no slash', () => {
    expect(splitCommand('今天三组的垃圾清完了', words)).toBeUndefined()
    expect(splitCommand('整改完了吗', words)).toBeUndefined()
  })
  it('keeps an unknown slash word so that a suggestion can be made', () => {
    expect(splitCommand('/整该 卫华村', words)).toEqual({ slash: true, head: '整该', rest: '卫华村' })
  })
  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (raw) => {
        const text = normalizeText(raw)
        const split = splitCommand(text, words)
        if (split) expect(typeof split.rest).toBe('string')
      }),
      { numRuns: 2000 },
    )
  })
})

describe('Args', () => {
  const township = new Township(exampleConfig())

  it('finds villages by name, name without 村, alias, and glued to the next words', () => {
    expect(new Args('卫华村 已完成', township).village()).toBe('卫华村')
    expect(new Args('已完成 渔业', township).village()).toBe('渔业村')
    const glued = new Args('卫华村三组垃圾', township)
    expect(glued.village()).toBe('卫华村')
    expect(glued.rest()).toBe('三组垃圾')
  })
  it('suggests the village meant by a near miss', () => {
    expect(() => new Args('卫化村 已完成', township).village()).toThrow('您是说「卫华村」吗？')
  })
  it('does not mistake ordinary words for villages', () => {
    expect(new Args('三组路边垃圾堆放', township).village()).toBeUndefined()
  })
  it('reads problem numbers in the forms people write, and not figures inside a note', () => {
    for (const w of ['12', '#12', '12号', 'No.12', '编号12']) expect(new Args(w, township).number()).toBe(12)
    expect(new Args('已完成 清理了 3 车', township).number(['已完成'])).toBeUndefined()
  })
  it('never throws anything but a user-facing error on random words', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 8 }), (ws) => {
        const args = new Args(normalizeText(ws.join(' ')), township)
        try {
          args.village()
        } catch (error) {
          expect((error as Error).name).toBe('UserError')
        }
        args.number()
        args.rest()
      }),
      { numRuns: 1000 },
    )
  })
})
