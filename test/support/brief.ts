// The township's work brief as the messages that report it: who says what, in which group
// (a village's group, or the township's when `village` is unset). Replayed over WeChat by
// test/e2e/brief.e2e.test.ts and through the dispatcher by test/db-copy.test.ts.
import type { TownshipConfig } from '../../src/config/schema.ts'

export const BRIEF_ADMIN = 'wxid_office_liu'
export const BRIEF_VILLAGES = ['卫华村', '渔业村', '卫明村', '新民村', '永安村', '红旗村']
const SUPERVISORS: Record<string, string> = { 卫华村: 'wxid_sup_ma', 渔业村: 'wxid_sup_ma', 卫明村: 'wxid_sup_han', 新民村: 'wxid_sup_han', 永安村: 'wxid_sup_zheng', 红旗村: 'wxid_sup_zheng' }

export interface BriefMessage {
  who: string
  /** The village group it is said in; unset: the township group. */
  village?: string
  text: string
}

export function briefMessages(config: TownshipConfig): BriefMessage[] {
  const secretaryOf = (village: string) => config.people.find((p) => p.role === 'village' && p.villages.includes(village))!.wechatId
  const ADMIN = BRIEF_ADMIN
  const VILLAGES = BRIEF_VILLAGES
  const messages: BriefMessage[] = []
  const say = (who: string, text: string, village?: string) => void messages.push({ who, text, village })

  // 推进会议 3 次 (the office), 巡查督导 5 次 (the cadres who supervise villages).
  for (const n of [1, 2, 3]) say(ADMIN, `/会议 第${n}次人居环境整治推进会`)
  for (const [i, village] of ['卫华村', '渔业村', '卫明村', '新民村', '永安村'].entries()) say(SUPERVISORS[village]!, `/巡查 ${village} 发现问题${i + 1}处`)

  // 爱国卫生月 and 绿化种植周, recorded by the office.
  say(ADMIN, '/活动 爱国卫生月 出动1300余人次 车辆300余车次 道路45公里 边沟5000多延长米 栅栏46余处 杂草2024延长米')
  say(ADMIN, '/活动 绿化种植周 志愿者175人 小叶丁香20余万株 白色垃圾近20立方米')

  // 10000 元 per village from the township; equipment handed out (18 套, 685 个, 6 台).
  const bins240 = [3, 3, 3, 3, 3, 3]
  const bins30 = [120, 115, 110, 120, 110, 110]
  for (const [i, village] of VILLAGES.entries()) {
    say(ADMIN, `/资金 ${village} 拨付10000元`)
    say(ADMIN, `/物资 ${village} 240L垃圾桶${bins240[i]}套 30L垃圾桶${bins30[i]}个 垃圾车1台`)
  }

  // Clearance by each village secretary, in their own group: 710 吨, 47.5 公里 ×2, 26 处, 17 个, 93 吨, 168 次.
  const garbage = [130, 120, 125, 115, 110, 110]
  const ditches = ['8.5', '8', '7.5', '8公里', '7500米', '8']
  const road = ['8', '8', '7.5', '8', '8', '8']
  const haystacks = [5, 4, 5, 4, 4, 4]
  const roadblocks = [3, 3, 3, 3, 3, 2]
  const manure = ['十六', '15', '16', '15', '16', '15']
  const bins = [28, 28, 28, 28, 28, 28]
  for (const [i, village] of VILLAGES.entries()) {
    const ditch = ditches[i]!.endsWith('米') ? ditches[i] : `${ditches[i]!.replace('公里', '')}公里`
    say(secretaryOf(village), `/清运 垃圾${garbage[i]}吨 边沟${ditch} 路面${road[i]}公里 柴草垛${haystacks[i]}处 路障${roadblocks[i]}个 畜禽粪便${manure[i]}吨 垃圾箱${bins[i]}次`, village)
  }

  // 门前三包 800 份, 地头三包 200 份; 宣传单 925 份 by the villages, 微信推送 100 条 by the office.
  const frontDoor = [140, 135, 135, 130, 130, 130]
  const fieldHead = [35, 35, 35, 35, 30, 30]
  const leaflets = [160, 155, 155, 155, 150, 150]
  for (const [i, village] of VILLAGES.entries()) {
    say(secretaryOf(village), `/协议 门前三包${frontDoor[i]}份 地头三包${fieldHead[i]}份`, village)
    say(secretaryOf(village), `/宣传 宣传单${leaflets[i]}份`, village)
  }
  say(ADMIN, '/宣传 卫华村 推送100条')

  // 255 最美庭院 in 卫华村, 渔业村 and 卫明村, each registered by its secretary.
  const courtyards: [string, number][] = [['卫华村', 100], ['渔业村', 80], ['卫明村', 75]]
  for (const [village, count] of courtyards) {
    for (let n = 1; n <= count; n++) say(secretaryOf(village), `/庭院 第${n}户 ${n % 10 === 0 ? '贫困户' : '一般户'}`, village)
  }
  return messages
}
