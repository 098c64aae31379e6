// End to end: the real assistant over wechaty-puppet-service (gRPC on 127.0.0.1) against a
// mock WeChat, on a real database: a SQLite file, and a PostgreSQL database (the run's server).
// Nothing of the bot's own code is stubbed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import * as PUPPET from 'wechaty-puppet'
import { providers } from '../support/db.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const TOWNSHIP = '示范乡人居环境整治工作群'
const WEIHUA = '卫华村人居环境群'
const SECRETARY = 'wxid_sec_weihua'
const SUPERVISOR = 'wxid_sup_ma'
const ADMIN = 'wxid_office_liu'
const RESIDENT = 'wxid_res_zhang'

describe.each(providers)('the ledger in WeChat groups, end to end (%s)', (provider) => {
  let t: WireTownship
  beforeEach(async () => {
    t = await startWireTownship(undefined, { provider })
    await t.startBot()
  })
  afterEach(() => t.close())

  it('a secretary files and completes a problem, and the bot answers in the group @-mentioning them', async () => {
    const filed = await t.say(SECRETARY, WEIHUA, '/问题 卫华村 三组路边垃圾堆放 限期5天')
    expect(filed.mentionIds).toEqual([SECRETARY])
    expect(filed.text).toMatch(/^@赵德明 📝 已登记 #1 卫华村：三组路边垃圾堆放/)

    const done = await t.say(SECRETARY, WEIHUA, '/整改 卫华村 已完成')
    expect(done.mentionIds).toEqual([SECRETARY])
    expect(done.text).toContain('#1 卫华村 三组路边垃圾堆放：待整改 → 已完成')
    expect(done.text.split('\n').at(-1)).toBe('📋 卫华村台账：共 1 条，未完成 0，已完成 1（已销号 0），逾期 0，完成率 100.0%')

    const verified = await t.say(SUPERVISOR, WEIHUA, '/销号 1')
    expect(verified.text).toContain('已销号')
    const stored = await t.assistant.ledger.get(1)
    expect(stored.status).toBe('已销号')
    expect(stored.history.map((h) => h.actorName)).toEqual(['赵德明', '赵德明', '马包村'])
    expect(stored.history.every((h) => h.messageId)).toBe(true)
  })

  it('refuses a resident politely and changes nothing', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const refused = await t.say(RESIDENT, WEIHUA, '/整改 卫华村 已完成')
    expect(refused.text).toContain('抱歉，/整改 只有乡办公室管理员、村书记或网格员可以使用')
    expect(refused.mentionIds).toEqual([RESIDENT])
    expect((await t.assistant.ledger.get(1)).status).toBe('待整改')
  })

  it('answers typos with what was not understood and the right form', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const asked = await t.say(SECRETARY, WEIHUA, '/整改 卫化村 已完成')
    expect(asked.text).toContain('您是说「卫华村」吗？回复「是」就按「卫华村」办理。\n写法：/整改 村名 已完成')
    expect((await t.say(SECRETARY, WEIHUA, '是')).text).toContain('待整改 → 已完成') // a short answer goes on as suggested
    expect((await t.say(SECRETARY, WEIHUA, '/整改 卫华村 完成了')).text).toContain('没看懂「完成了」。您是说「已完成」吗？')
    expect((await t.say(SECRETARY, WEIHUA, '／整该 卫华村 已完成')).text).toContain('您是说 /整改 吗？')
  })

  it('understands full-width text, a missing slash and an @-mention of the bot', async () => {
    await t.say(SECRETARY, WEIHUA, '问题　三组路边垃圾堆放')
    const reply = await t.say(SECRETARY, WEIHUA, '／整改：１　已完成', { mention: true })
    expect(reply.text).toContain('待整改 → 已完成')
    const viaMention = await t.say(ADMIN, TOWNSHIP, '统计', { mention: true })
    expect(viaMention.text).toContain('汇集问题 1 条，已完成整改 1 条')
  })

  it('ignores groups that are not bound (telling the admins once) and strangers in private, but answers a cadre in private', async () => {
    const before = t.wechat.mocker.cacheMessagePayload.size
    t.addRoom('村民闲聊群')
    await t.sayUnanswered(SECRETARY, '村民闲聊群', '/统计')
    await t.sayUnanswered(SECRETARY, '村民闲聊群', '/台账')
    const stranger = t.contact('wxid_stranger')
    const bot = t.wechat.mocker.ContactMock.load(BOT_ID)
    stranger.say('/统计').to(bot)
    t.wechat.mocker.ContactMock.load(ADMIN).say('/统计').to(bot)
    await new Promise((r) => setTimeout(r, 500))
    const fromBot = [...t.wechat.mocker.cacheMessagePayload.values()].slice(before).filter((m) => m.talkerId === BOT_ID)
    const admins = t.config.people.filter((p) => p.role === 'admin').map((p) => p.wechatId)
    const notices = fromBot.filter((m) => m.text?.includes('助手被拉进了「村民闲聊群」'))
    expect(notices.map((m) => m.listenerId).sort()).toEqual([...admins].sort()) // each admin once, not once per message
    expect(notices[0]?.text).toContain('/绑定 村名')
    const answers = fromBot.filter((m) => !notices.includes(m))
    expect(answers.map((m) => m.listenerId)).toEqual([ADMIN])
    expect(answers[0]?.text).toContain('示范乡整改统计')
  })

  it('handles a redelivered message once, and a replayed old one late with a note', async () => {
    const first = await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    const original = [...t.wechat.mocker.cacheMessagePayload.values()].find((m) => m.text === '/问题 三组路边垃圾堆放')!
    t.redeliver(original)
    t.redeliver(original)
    const room = t.rooms.get(WEIHUA)!
    const old: PUPPET.payloads.Message = {
      id: 'replayed-after-reconnect',
      type: PUPPET.types.Message.Text,
      talkerId: SECRETARY,
      roomId: room.room.id,
      text: '/问题 五组柴草垛占道',
      timestamp: Date.now() - 3 * 3600_000,
      mentionIdList: [],
    }
    const seenBefore = room.seen.messages.length
    t.redeliver(old)
    const late = await room.seen.waitFor((m) => m.talkerId === BOT_ID, 5000, seenBefore)
    expect(late.text).toMatch(/^@赵德明 （您 \d\d:\d\d 发的消息因助手离线，现在才处理）\n📝 已登记 #2/)
    t.redeliver(old)
    await new Promise((r) => setTimeout(r, 300))
    expect(first.text).toContain('#1')
    expect(await t.assistant.ledger.list('卫华村')).toHaveLength(2)
    expect(t.botMessages(WEIHUA)).toHaveLength(2)
  })

  it('keeps every record and a half-written command across a restart of the bot', async () => {
    await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放')
    await t.say(SECRETARY, WEIHUA, '/问题 五组柴草垛占道')
    const question = await t.say(SECRETARY, WEIHUA, '/整改 卫华村 已完成')
    expect(question.text).toContain('请回复要报「已完成」的编号')
    await t.stopBot()
    await t.startBot({ migrate: true })
    const answer = await t.say(SECRETARY, WEIHUA, '2')
    expect(answer.text).toContain('#2 卫华村 五组柴草垛占道：待整改 → 已完成')
    const status = await t.say(ADMIN, TOWNSHIP, '/统计 卫华村')
    expect(status.text).toContain('卫华村台账：共 2 条，未完成 1，已完成 1')
  })
})

describe.each(providers)("the brief's own ledger replayed by message (%s)", (provider) => {
  it('45 problems filed across six villages, 25 completed: /统计 answers 45, 25 and 55.6%', async () => {
    const t = await startWireTownship(undefined, { provider })
    try {
      await t.startBot()
      const villages = t.config.groups.filter((g) => g.scope === 'village')
      const secretaryOf = (village: string) => t.config.people.find((p) => p.role === 'village' && p.villages.includes(village))!.wechatId
      const spots = ['路边垃圾堆放', '柴草垛占道', '畜禽粪便乱堆', '边沟堵塞', '庭院杂物', '旱厕破损', '路障未清', '白色垃圾']
      const filed: { village: string; topic: string; id: number }[] = []
      for (let i = 0; i < 45; i++) {
        const group = villages[i % villages.length]!
        const reply = await t.say(secretaryOf(group.village!), group.topic!, `/问题 第${i + 1}处${spots[i % spots.length]}`)
        const id = Number(/已登记 #(\d+)/.exec(reply.text)?.[1])
        filed.push({ village: group.village!, topic: group.topic!, id })
      }
      expect(new Set(filed.map((p) => p.id)).size).toBe(45)
      for (const p of filed.slice(0, 25)) {
        const reply = await t.say(secretaryOf(p.village), p.topic, `/整改 ${p.id} 已完成`)
        expect(reply.text).toContain('→ 已完成')
      }
      const stats = await t.say(ADMIN, TOWNSHIP, '/统计')
      expect(stats.text).toContain('汇集问题 45 条，已完成整改 25 条（已销号 0），未完成 20 条，逾期 0 条，完成率 55.6%')
    } finally {
      await t.close()
    }
  })
})
