// A township set up from WeChat alone: a config with villages but no people and no groups, the
// admin code printed at start, groups bound and people appointed by message, the brief's
// 45-problem ledger imported from a clerk's .xlsx — then a restart, and everything is still there.
import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mockFile, type ContactMock, type RoomMock } from '../support/puppet-server.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'
import { exampleConfig } from '../support/township.ts'

const TOWNSHIP_GROUP = '示范乡人居环境整治工作群'
const VILLAGE_GROUPS: Record<string, string> = {
  卫华村: '卫华村人居环境群',
  渔业村: '渔业村人居环境群',
  卫明村: '卫明村人居环境群',
  新民村: '新民村人居环境群',
  永安村: '永安村人居环境群',
  红旗村: '红旗村人居环境群',
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The brief's ledger as a township clerk keeps it: a title row, its own column order and words. */
async function clerksLedger(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('问题台账')
  ws.addRow(['示范乡农村人居环境整治问题台账（2026年）'])
  ws.addRow([])
  ws.addRow(['序号', '问题描述', '村名', '整改状态', '发现日期', '整改期限', '责任人'])
  const villages = Object.keys(VILLAGE_GROUPS)
  const spots = ['路边垃圾堆放', '柴草垛占道', '畜禽粪便乱堆', '边沟堵塞', '庭院杂物', '旱厕破损', '路障未清', '白色垃圾']
  for (let i = 0; i < 45; i++) {
    const status = i < 20 ? '已完成' : i < 25 ? '已销号' : i < 35 ? '未整改' : '整改中'
    ws.addRow([i + 1, `第${i + 1}处${spots[i % spots.length]}`, villages[i % villages.length], status, new Date(Date.UTC(2026, 9, 1 + (i % 28))), new Date(Date.UTC(2027, 0, 15)), `负责人${i % 6}`])
  }
  return Buffer.from(await wb.xlsx.writeBuffer())
}

describe('setting a township up from WeChat', () => {
  let t: WireTownship
  afterEach(() => t?.close())

  it('admin code → groups bound → people appointed → old ledger imported → /统计 45, 25, 55.6% → restart keeps it all', async () => {
    const config = exampleConfig()
    config.people = []
    config.groups = []
    config.duty.rotation = []
    t = await startWireTownship(config)
    const { mocker } = t.wechat
    const botContact = mocker.ContactMock.load(BOT_ID)

    // The people of the township, in WeChat only: nobody has typed an id anywhere.
    const named = (id: string, name: string) => mocker.createContact({ id, name })
    const office = named('wx_office', '刘主任')
    const secretaries = Object.keys(VILLAGE_GROUPS).map((v, i) => ({ village: v, contact: named(`wx_sec_${i}`, ['赵德明', '钱永福', '孙长林', '李春生', '周国华', '吴建军'][i]!) }))
    const supervisor = named('wx_sup', '马包村')
    const gridWorker = named('wx_grid', '王五')
    const everyone = [office, ...secretaries.map((s) => s.contact), supervisor, gridWorker]
    const rooms = new Map<string, RoomMock>()
    for (const topic of [TOWNSHIP_GROUP, ...Object.values(VILLAGE_GROUPS)]) {
      const room = mocker.createRoom({ topic, memberIdList: [BOT_ID, ...everyone.map((c) => c.id)] })
      rooms.set(topic, room)
    }

    const printed: string[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)))
    await t.startBot()
    log.mockRestore()
    const codeLine = printed.find((l) => l.startsWith('首次使用：'))
    expect(codeLine).toMatch(/^首次使用：请用乡办公室管理员的微信私聊助手发送 \/管理员 (\d{6})（30 分钟内有效）$/)
    const code = /\/管理员 (\d{6})/.exec(codeLine!)![1]!

    /** Says something and resolves with the bot's next message to `to` (a room, or the speaker privately). */
    const botMessages = () => [...mocker.cacheMessagePayload.values()].filter((m) => m.talkerId === BOT_ID)
    const reply = async (from: ContactMock, text: string, where?: RoomMock, mentions: ContactMock[] = []) => {
      const before = botMessages().length
      from.say(text, mentions.length ? mentions : undefined).to(where ?? botContact)
      for (let i = 0; i < 100; i++) {
        await sleep(50)
        const next = botMessages().slice(before).find((m) => (where ? m.roomId === where.id : m.listenerId === from.id && !m.roomId))
        if (next) return next.text ?? ''
      }
      throw new Error(`no answer to ${text}`)
    }
    /** Waits until `check` holds (the bot's notices follow its replies through the outbox). */
    const eventually = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await sleep(50)
      return check()
    }
    const privateTo = (contact: ContactMock) => botMessages().filter((m) => m.listenerId === contact.id && !m.roomId).map((m) => m.text ?? '')

    // Before there is an admin the bot is silent in groups and answers no stranger.
    const township = rooms.get(TOWNSHIP_GROUP)!
    const weihua = rooms.get(VILLAGE_GROUPS['卫华村']!)!
    expect(await reply(office, '/管理员 000000')).toContain('验证码不对')
    expect(await reply(office, `/管理员 ${code}`)).toContain('刘主任，您已成为示范乡的乡办公室管理员')
    expect(await reply(office, `/管理员 ${code}`)).toContain('您已经是管理员了')

    // Unbound groups: the admin hears of one the first time something is said there.
    const before = botMessages().length
    secretaries[0]!.contact.say('大家好').to(weihua)
    await sleep(600)
    expect(botMessages().slice(before).filter((m) => m.roomId === weihua.id)).toHaveLength(0)
    expect(await eventually(() => privateTo(office).some((m) => m.includes('助手被拉进了「卫华村人居环境群」（10 人）')))).toBe(true)
    expect(privateTo(office).filter((m) => m.includes('助手被拉进了「卫华村人居环境群」（10 人）'))).toHaveLength(1)

    // Seven groups bound by message.
    expect(await reply(office, '/绑定 全乡', township)).toContain('已把本群绑定为示范乡乡级工作群')
    for (const [village, topic] of Object.entries(VILLAGE_GROUPS)) {
      expect(await reply(office, `/绑定 ${village}`, rooms.get(topic)!)).toContain(`已把本群绑定为${village}的村级群`)
    }
    const groupsList = await reply(office, '/群')
    expect(groupsList).toContain('助手在 7 个群里')
    expect(groupsList).toContain('卫华村人居环境群（10 人）：卫华村')
    expect(groupsList).not.toContain('未绑定')

    // Appointments by @-mention, and a refusal without one.
    expect(await reply(office, '/任命 赵德明 村书记 卫华村', weihua)).toContain('没有找到被 @ 的群成员')
    for (const { village, contact } of secretaries) {
      expect(await reply(office, `/任命 @${contact.payload.name}\u2005村书记 ${village}`, rooms.get(VILLAGE_GROUPS[village]!)!, [contact])).toContain(`已任命 ${contact.payload.name} 为村书记 ${village}`)
    }
    expect(await reply(office, '/任命 @马包村\u2005包村干部 卫华村 渔业村', township, [supervisor])).toContain('已任命 马包村 为包村干部 卫华村、渔业村')

    // Self-service: /我是, then the supervisor (or an admin) agrees, and the applicant hears it.
    const asked = await reply(gridWorker, '/我是 卫华村 网格员 第1网格', weihua)
    expect(asked).toContain('已收到您的申请（1 号）')
    expect(await eventually(() => privateTo(supervisor).some((m) => m === '王五申请为卫华村网格员（卫华村第1网格），回复 /同意 1 或 /拒绝 1'))).toBe(true)
    const agreed = await reply(supervisor, '/同意 1')
    expect(agreed).toContain('已同意 1 号申请')
    expect(await eventually(() => botMessages().some((m) => m.roomId === weihua.id && !!m.text?.includes('王五，您申请的卫华村网格员（卫华村第1网格）已由马包村同意')))).toBe(true)
    expect(await reply(supervisor, '/同意 1')).toContain('已经处理过了')
    // The new grid worker acts at once, without a restart.
    expect(await reply(gridWorker, '/清运 垃圾2吨', weihua)).toContain('卫华村')

    // The old ledger: an .xlsx sent to the bot privately, previewed, confirmed once.
    expect(await reply(office, '/导入 台账')).toContain('请先把 .xlsx 文件发到这里')
    const received = await (async () => {
      const before = botMessages().length
      office.say(mockFile(await clerksLedger(), '示范乡整改台账.xlsx')).to(botContact)
      for (let i = 0; i < 100; i++) {
        await sleep(50)
        const next = botMessages().slice(before).find((m) => m.listenerId === office.id)
        if (next) return next.text ?? ''
      }
      throw new Error('no answer to the file')
    })()
    expect(received).toContain('收到「示范乡整改台账.xlsx」')
    const preview = await reply(office, '/导入 台账')
    expect(preview).toContain('将导入 45 个问题（6 个村；已完成 20，已销号 5，待整改 10，整改中 10）')
    expect(await reply(office, '/统计', township)).toContain('汇集问题 0 条') // nothing stored before /确认导入
    const confirmed = await reply(office, '/确认导入')
    expect(confirmed).toContain('已从「示范乡整改台账.xlsx」导入 45 个问题')
    expect(await reply(office, '/确认导入')).toContain('已经写入过了')
    // The same file again: nothing doubled.
    expect(await reply(office, '/导入 台账')).toContain('另有 45 个以前已经导入过，不会重复')

    const stats = await reply(office, '/统计', township)
    expect(stats).toContain('汇集问题 45 条，已完成整改 25 条（已销号 5）')
    expect(stats).toContain('完成率 55.6%')
    const history = await reply(office, '/查询 30', township)
    expect(history).toContain('第30处')
    expect(history).toContain('导入')
    expect(history).toContain('示范乡整改台账.xlsx 第 33 行') // the title, a blank row and the header come first

    // A restart: bindings, people and records are all still there.
    await t.stopBot()
    await t.startBot()
    expect(await reply(office, '/统计', township)).toContain('汇集问题 45 条，已完成整改 25 条（已销号 5）')
    const people = await reply(office, '/人员 卫华村', township)
    expect(people).toContain('赵德明')
    expect(people).toContain('王五 卫华村第1网格（马包村')
    expect(await reply(secretaries[1]!.contact, '/台账', rooms.get(VILLAGE_GROUPS['渔业村']!)!)).toContain('渔业村')

    // A renamed group keeps its binding: it follows the group's id, not its name.
    const yuye = rooms.get(VILLAGE_GROUPS['渔业村']!)!
    yuye.payload.topic = '渔业村环境整治（新）'
    t.wechat.puppet.emit('room-topic', { roomId: yuye.id, newTopic: yuye.payload.topic, oldTopic: VILLAGE_GROUPS['渔业村']!, changerId: office.id, timestamp: Date.now() })
    expect(await reply(secretaries[1]!.contact, '/台账', yuye)).toContain('渔业村')
    expect(await t.assistant.services.schedule.groups.village('渔业村')).toBe(yuye.id) // where its bulletin and reminders go

    // Removed from a bound group: the admin is told.
    t.wechat.puppet.emit('room-leave', { roomId: weihua.id, removeeIdList: [BOT_ID], removerId: office.id, timestamp: Date.now() })
    await eventually(() => privateTo(office).some((m) => m.includes('助手被移出了「卫华村人居环境群」（卫华村的村级群）')))
    expect(privateTo(office).filter((m) => m.includes('助手被移出了「卫华村人居环境群」（卫华村的村级群）'))).toHaveLength(1)
    expect(await reply(office, '/群')).toContain('还没有村级群的村：卫华村')
  }, 120_000)
})
