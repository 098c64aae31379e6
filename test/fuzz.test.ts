// 10,000 random messages from anyone, anywhere: control characters, emoji, SQL, HTML, huge
// numbers, half-commands. The bot never crashes, never answers with an internal error, and its
// memory stays flat.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { dispatcherFixture } from './support/dispatcher.ts'

const PEOPLE = ['wxid_office_liu', 'wxid_sup_ma', 'wxid_duty_wang', 'wxid_sec_weihua', 'wxid_grid_01', 'wxid_res_zhang', 'wxid_stranger_1']
const HEADS = ['/整改', '/问题', '/销号', '/退回', '/清运', '/活动', '/庭院', '/资金', '/统计', '/导出', '/延期', '/更正', '/随手拍', '/受理', '/照片', '/巡查', '整改', '／', '/', '@助手', '']
const NASTY = ["'; DROP TABLE Problem; --", '<script>alert(1)</script>', '\u0000\u0007\u001b[31m', '😀🧹🚛', '9'.repeat(400), '-1吨', '1e309吨', '卫化村', '限期0天', '限期13月40日', 'R99999', '#0', '\u202e反向', '　　']

describe('fuzz', () => {
  it('survives 10,000 random messages without an internal error, with memory flat', async () => {
    const f = await dispatcherFixture()
    Object.assign(f.services.policy, { perSenderPerMinute: 1e9, perGroupPerMinute: 1e9 })
    const message = fc.record({
      who: fc.constantFrom(...PEOPLE),
      village: fc.constantFrom(undefined, '卫华村', '渔业村', '红旗村'),
      head: fc.constantFrom(...HEADS),
      words: fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('卫华村', '已完成', '整改中', '12', '垃圾12吨', '贫困户', '5天')), { maxLength: 6 }),
    })
    const samples = fc.sample(message, { numRuns: 10_000, seed: 20261129 })
    let errors = 0
    let baseline = 0
    for (const [i, m] of samples.entries()) {
      if (i === 1_000) baseline = process.memoryUsage().heapUsed
      const reply = await f.say(m.who, [m.head, ...m.words].join(' '), m.village)
      if (reply?.includes('系统出错')) errors++
    }
    const growth = (process.memoryUsage().heapUsed - baseline) / 1024 / 1024
    expect(errors).toBe(0)
    expect(growth, `heap grew ${growth.toFixed(1)} MB over 9,000 messages`).toBeLessThan(80)
    expect(await f.db.inboxMessage.count()).toBe(10_000)
    await f.close()
  }, 300_000)
})
