// The permission matrix: every command, every role, in and out of the actor's villages, and in a
// private chat — allowed exactly where the brief's roles allow, refused politely elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commands } from '../commands/index.ts'
import type { Role } from '../src/config/schema.ts'
import { dispatcherFixture } from './support/dispatcher.ts'

const PEOPLE: Record<Role, string> = {
  admin: 'wxid_office_liu',
  supervisor: 'wxid_sup_ma', // 卫华村, 渔业村
  duty: 'wxid_duty_wang',
  village: 'wxid_sec_weihua', // 卫华村
  grid: 'wxid_grid_01', // 卫华村
  resident: 'wxid_res_zhang', // 卫华村
  county: 'wxid_county_sun',
}

/** Who the brief lets use each command; anyone else must be refused with "只有…可以使用". */
const EXPECTED: Record<string, Role[]> = {
  问题: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  整改: ['admin', 'village', 'grid'],
  销号: ['admin', 'supervisor', 'duty'],
  退回: ['admin', 'supervisor', 'duty'],
  照片: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  随手拍: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  受理: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  不受理: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  确认: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  未整改: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  延期: ['admin', 'village', 'grid'],
  批准延期: ['admin', 'supervisor', 'duty'],
  不批准延期: ['admin', 'supervisor', 'duty'],
  通报: ['admin', 'supervisor', 'duty'],
  考核: ['admin', 'supervisor', 'duty'],
  计划: ['admin', 'supervisor', 'duty'],
  推送: ['admin'],
  加提示: ['admin'],
  值班: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  清运: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  活动: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  巡查: ['admin', 'supervisor', 'duty'],
  会议: ['admin', 'supervisor', 'duty'],
  庭院: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  协议: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  资金: ['admin', 'supervisor', 'village'],
  物资: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  宣传: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  网格: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  撤销: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  更正: ['admin'],
  导出: ['admin', 'supervisor', 'duty', 'village', 'county'],
  台账: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  查询: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  逾期: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  统计: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident', 'county'],
  排名: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident', 'county'],
  状态: ['admin'],
  管理员: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  绑定: ['admin'],
  解绑: ['admin'],
  群: ['admin'],
  任命: ['admin'],
  免职: ['admin'],
  我是: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
  同意: ['admin', 'supervisor', 'duty'],
  拒绝: ['admin', 'supervisor', 'duty'],
  人员: ['admin', 'supervisor', 'duty', 'village', 'grid'],
  导入: ['admin'],
  确认导入: ['admin'],
  帮助: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident', 'county'],
  取消: ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident'],
}

/** A command that changes 红旗村's records: nobody scoped to 卫华村 may run it. */
const OUT_OF_SCOPE: Record<string, string> = {
  问题: '/问题 红旗村 路边垃圾',
  清运: '/清运 红旗村 垃圾1吨',
  庭院: '/庭院 红旗村 某某 一般户',
  协议: '/协议 红旗村 门前三包1份',
  物资: '/物资 红旗村 垃圾车1台',
  宣传: '/宣传 红旗村 宣传单1份',
  资金: '/资金 红旗村 拨付1元',
}

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>

describe('permission matrix', () => {
  let f: Fixture
  beforeAll(async () => {
    // The county office, kept by the township that serves the county group.
    f = await dispatcherFixture({ configure: (config) => config.people.push({ name: '县人居办孙', wechatId: PEOPLE.county, role: 'county', villages: [] }) })
    Object.assign(f.services.policy, { perSenderPerMinute: 1e9, perGroupPerMinute: 1e9 })
  })
  afterAll(() => f.close())

  it('lists every command', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(commands.map((c) => c.name).sort())
  })

  for (const command of commands) {
    it(`/${command.name}: allowed for ${EXPECTED[command.name]?.join(', ')}; refused for the rest`, async () => {
      for (const role of Object.keys(PEOPLE) as Role[]) {
        const reply = await f.say(PEOPLE[role], `/${command.name}`, '卫华村')
        const refused = reply?.includes(`/${command.name} 只有`) ?? false
        expect(refused, `${role} → ${reply}`).toBe(!EXPECTED[command.name]!.includes(role))
        await f.say(PEOPLE[role], '/取消', '卫华村')
      }
    })
  }

  it('keeps village-scoped roles to their own village, while admins and supervisors of it act', async () => {
    for (const [name, text] of Object.entries(OUT_OF_SCOPE)) {
      for (const role of ['village', 'grid'] as Role[]) {
        if (!EXPECTED[name]!.includes(role)) continue
        expect(await f.say(PEOPLE[role], text, '卫华村'), `${role} ${text}`).toContain('不能处理红旗村的记录')
      }
      expect(await f.say('wxid_sup_ma', text, '卫华村'), `supervisor of other villages: ${text}`).toContain('不能处理红旗村的记录')
      expect(await f.say('wxid_sup_zheng', text), `supervisor of 红旗村: ${text}`).not.toMatch(/抱歉|不能处理/)
      expect(await f.say(PEOPLE.admin, text), `admin: ${text}`).not.toMatch(/抱歉|不能处理/)
    }
  })

  it('answers a cadre in a private chat with their own scope', async () => {
    const privateChat = { where: { kind: 'private' as const }, conversationId: PEOPLE.village }
    expect(await f.say(PEOPLE.village, '/清运 垃圾1吨', undefined, privateChat)).toContain('已记录 卫华村清运')
    expect(await f.say(PEOPLE.village, '/清运 红旗村 垃圾1吨', undefined, privateChat)).toContain('不能处理红旗村的记录')
    expect(await f.say(PEOPLE.resident, '/清运 垃圾1吨', undefined, { where: { kind: 'private' }, conversationId: PEOPLE.resident })).toContain('只有')
  })
})
