// The random messages of the fuzz test: anyone, anywhere, control characters, emoji, SQL, HTML,
// huge numbers, half-commands. Shared with the memory benchmark (test/bench/memory.ts), so that
// its fuzz phase sends what the fuzz test sends, over the wire instead of in-process.
import fc from 'fast-check'

export const PEOPLE = ['wxid_office_liu', 'wxid_sup_ma', 'wxid_duty_wang', 'wxid_sec_weihua', 'wxid_grid_01', 'wxid_res_zhang', 'wxid_stranger_1']
export const HEADS = ['/整改', '/问题', '/销号', '/退回', '/清运', '/活动', '/庭院', '/资金', '/统计', '/导出', '/延期', '/更正', '/随手拍', '/受理', '/照片', '/巡查', '整改', '／', '/', '@助手', '', '/任命', '/免职', '/我是', '/同意', '/拒绝', '/绑定', '/解绑', '/群', '/人员', '/导入', '/确认导入', '/管理员']
export const NASTY = ["'; DROP TABLE Problem; --", '<script>alert(1)</script>', '\u0000\u0007\u001b[31m', '😀🧹🚛', '9'.repeat(400), '-1吨', '1e309吨', '卫化村', '限期0天', '限期13月40日', 'R99999', '#0', '\u202e反向', '　　']

export interface FuzzMessage {
  who: string
  /** the village whose group it is said in; undefined: the township's group */
  village: string | undefined
  text: string
  /** someone @-mentioned, as WeChat lists them (the roster commands act on them) */
  mention: string | undefined
}

const message = fc.record({
  who: fc.constantFrom(...PEOPLE),
  village: fc.constantFrom(undefined, '卫华村', '渔业村', '红旗村'),
  head: fc.constantFrom(...HEADS),
  words: fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom('卫华村', '已完成', '整改中', '12', '垃圾12吨', '贫困户', '5天', '@赵德明', '网格员', '村书记', '包村干部', '卫华村第1网格', '全乡', '人员', '台账', '483920')), { maxLength: 6 }),
  mention: fc.constantFrom(undefined, 'wxid_grid_01', 'wxid_res_zhang', 'wxid_stranger_1'),
})

/** `count` messages, the same ones for the same seed. */
export function fuzzMessages(count: number, seed = 20261129): FuzzMessage[] {
  return fc.sample(message, { numRuns: count, seed }).map(({ who, village, head, words, mention }) => ({ who, village, text: [head, ...words].join(' '), mention }))
}
