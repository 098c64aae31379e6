// What the campaign counts, kind by kind, in the brief's own words and units. A figure is kept
// in one unit; whatever unit of the same measure people write is converted to it.

/** Units by measure, with their size in the measure's base unit. */
export const MEASURES = {
  mass: { 吨: 1, 公斤: 0.001, 千克: 0.001, 斤: 0.0005 },
  length: { 米: 1, 延长米: 1, 公里: 1000, 千米: 1000, 里: 500 },
  volume: { 立方米: 1, 方: 1, 立方: 1 },
  money: { 元: 1, 万元: 10000 },
  // Counts: each unit is its own measure, so 3处 never becomes 3个.
  处: { 处: 1 },
  个: { 个: 1 },
  次: { 次: 1 },
  人次: { 人次: 1 },
  车次: { 车次: 1 },
  人: { 人: 1, 名: 1 },
  株: { 株: 1, 棵: 1 },
  份: { 份: 1 },
  套: { 套: 1 },
  台: { 台: 1, 辆: 1 },
  条: { 条: 1 },
  户: { 户: 1 },
  场: { 场: 1 },
} as const satisfies Record<string, Record<string, number>>

export type Measure = keyof typeof MEASURES

export interface Figure {
  /** Stable key stored in the database. */
  key: string
  /** The brief's word. */
  label: string
  /** Other words people write for it. */
  names: readonly string[]
  /** The unit it is kept and shown in. */
  unit: string
  measure: Measure
  /** Words that are not the figure's name but count as it (小叶丁香 → 种植); kept as the record's detail. */
  anyName?: boolean
}

const f = (key: string, label: string, unit: string, measure: Measure, names: string[] = [], anyName = false): Figure => ({ key, label, names, unit, measure, anyName })

/** Each record kind's figures, in the order the brief reports them. */
export const FIGURES_BY_KIND = {
  清运: [
    f('garbage', '垃圾', '吨', 'mass', ['生活垃圾', '清运垃圾']),
    f('ditches', '边沟', '公里', 'length', ['路边沟', '沟渠', '排水沟']),
    f('road', '路面', '公里', 'length', ['道路', '路']),
    f('haystacks', '柴草垛', '处', '处', ['草垛', '柴草']),
    f('roadblocks', '路障', '个', '个'),
    f('manure', '畜禽粪便', '吨', 'mass', ['禽畜粪便', '粪便', '粪']),
    f('bins', '垃圾箱', '次', '次', ['清理垃圾箱', '垃圾桶']),
  ],
  活动: [
    f('people', '出动', '人次', '人次', ['人员', '参与', '干部群众']),
    f('vehicles', '车辆', '车次', '车次', ['出车', '车']),
    f('roads', '道路', '公里', 'length', ['路面', '清洁道路']),
    f('ditches', '边沟', '延长米', 'length', ['路边沟', '沟渠']),
    f('fences', '栅栏', '处', '处', ['修复栅栏', '围栏']),
    f('weeds', '杂草', '延长米', 'length', ['清理杂草', '路边杂草']),
    f('volunteers', '志愿者', '人', '人', ['老党员']),
    f('plants', '种植', '株', '株', ['植树', '栽植', '树苗'], true),
    f('whiteGarbage', '白色垃圾', '立方米', 'volume', ['塑料垃圾']),
  ],
  巡查: [f('found', '发现问题', '处', '处', ['问题'])],
  会议: [f('meetings', '会议', '场', '场')],
  庭院: [f('courtyards', '最美庭院', '户', '户'), f('reward', '奖励', '元', 'money')],
  协议: [f('frontDoor', '门前三包', '份', '份'), f('fieldHead', '地头三包', '份', '份')],
  资金: [f('granted', '拨付', '元', 'money', ['专项资金', '下拨']), f('paid', '奖励', '元', 'money', ['支出', '以奖代补', '发放'])],
  物资: [
    f('bins240', '240L垃圾桶', '套', '套', ['240升垃圾桶', '大垃圾桶']),
    f('bins30', '30L垃圾桶', '个', '个', ['30升垃圾桶', '户用垃圾桶', '小垃圾桶']),
    f('trucks', '垃圾车', '台', '台', ['垃圾回收车', '清运车']),
    f('clothes', '工作服', '套', '套'),
    f('tools', '清扫工具', '套', '套', ['工具']),
  ],
  宣传: [f('leaflets', '宣传单', '份', '份', ['传单']), f('pushes', '推送', '条', '条', ['微信推送', '信息']), f('letters', '倡议书', '份', '份')],
} as const satisfies Record<string, Figure[]>

export type RecordKind = keyof typeof FIGURES_BY_KIND
export const RECORD_KINDS = Object.keys(FIGURES_BY_KIND) as RecordKind[]

export function figureOf(kind: RecordKind, key: string): Figure | undefined {
  return (FIGURES_BY_KIND[kind] as readonly Figure[]).find((fig) => fig.key === key)
}
