import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createLogger } from '../src/log.ts'
import { createDispatcher, Registry } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { messageHooks } from '../src/app.ts'
import { ADMIN, dispatcherFixture, GRID, OTHER_SECRETARY, RESIDENT, SECRETARY, STRANGER, SUPERVISOR } from './support/dispatcher.ts'

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>

describe('commands through the dispatcher', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  it('files a problem with deadline, hamlet, category and the responsible secretary', async () => {
    const reply = await f.say(SECRETARY, '/问题 卫华村 前卫屯 三组路边垃圾堆放 限期5天', '卫华村')
    expect(reply).toContain('已登记 #1 卫华村 前卫屯：三组路边垃圾堆放')
    expect(reply).toContain('限期：12月5日')
    expect(reply).toContain('责任人：赵德明')
    expect(reply).toContain('卫华村台账：共 1 条，未完成 1')
    const stored = await f.ledger.get(1)
    expect(stored).toMatchObject({ hamlet: '前卫屯', category: '垃圾', source: '巡查', reporterName: '赵德明' })
  })

  it('puts a problem in a grid, named or from the grid worker who files it', async () => {
    expect(await f.say(SECRETARY, '/问题 第2网格 路边垃圾', '卫华村')).toContain('已登记 #1 卫华村 卫华村第2网格：路边垃圾')
    expect(await f.say(GRID, '/问题 边沟堵塞', '卫华村')).toContain('已登记 #2 卫华村 卫华村第1网格：边沟堵塞')
    expect(await f.say(SECRETARY, '/问题 第9网格 路边垃圾', '卫华村')).toContain('卫华村没有「第9网格」')
  })

  it('takes /整改 村 已完成 with one open problem, and ends with the status line', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    const reply = await f.say(SECRETARY, '/整改 卫华村 已完成', '卫华村')
    expect(reply).toContain('#1 卫华村 三组路边垃圾堆放：待整改 → 已完成')
    expect(reply).toContain('请包村干部 马包村 核实后销号')
    expect(reply?.split('\n').at(-1)).toBe('📋 卫华村台账：共 1 条，未完成 0，已完成 1（已销号 0），逾期 0，完成率 100.0%')
  })

  it('lists several open problems and takes the number in the next message', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    await f.say(SECRETARY, '/问题 五组柴草垛占道', '卫华村')
    const question = await f.say(SECRETARY, '/整改 卫华村 已完成 已用铲车清走', '卫华村')
    expect(question).toContain('卫华村有 2 个未完成的问题，请回复要报「已完成」的编号')
    expect(question).toContain('#1 三组路边垃圾堆放【待整改】')
    expect(question).toContain('#2 五组柴草垛占道【待整改】')
    const reply = await f.say(SECRETARY, '2', '卫华村')
    expect(reply).toContain('#2 卫华村 五组柴草垛占道：待整改 → 已完成')
    expect(reply).toContain('说明：已用铲车清走')
    expect((await f.ledger.get(1)).status).toBe('待整改')
  })

  it('accepts the brief\'s other forms: /整改 12 已完成 and /整改 村 12 整改中 说明', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    await f.say(SECRETARY, '/问题 五组柴草垛占道', '卫华村')
    expect(await f.say(SECRETARY, '／整改　２　整改中', '卫华村')).toContain('#2 卫华村 五组柴草垛占道：待整改 → 整改中')
    const reply = await f.say(SECRETARY, '整改 卫华村 1 整改中 已联系铲车 明天清运', '卫华村')
    expect(reply).toContain('说明：已联系铲车 明天清运')
    expect((await f.ledger.get(1)).history.at(-1)?.note).toBe('已联系铲车 明天清运')
  })

  it('asks for a missing status and completes the command with the answer', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    expect(await f.say(SECRETARY, '/整改 1', '卫华村')).toContain('请写明整改状态：整改中 或 已完成')
    expect(await f.say(SECRETARY, '已完成', '卫华村')).toContain('待整改 → 已完成')
  })

  it('asks which village when a cadre in the township group names none, and /取消 drops the question', async () => {
    expect(await f.say(ADMIN, '/问题 路边垃圾')).toContain('请写明是哪个村')
    expect(await f.say(ADMIN, '/取消')).toBe('好的，已取消。')
    expect(await f.say(ADMIN, '渔业村')).toBeUndefined()
    expect(await f.ledger.list()).toHaveLength(0)
  })

  it('suggests the right form for a mistyped village or status', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    const village = await f.say(SECRETARY, '/整改 卫化村 已完成', '卫华村')
    expect(village).toContain('没有找到「卫化村」。您是说「卫华村」吗？')
    expect(village).toContain('写法：/整改 村名 已完成')
    const status = await f.say(SECRETARY, '/整改 卫华村 完成了', '卫华村')
    expect(status).toContain('没看懂「完成了」。您是说「已完成」吗？')
    expect((await f.ledger.get(1)).status).toBe('待整改')
  })

  it('suggests the nearest command for an unknown one, and stays quiet on ordinary chat', async () => {
    expect(await f.say(SECRETARY, '/整该 卫华村 已完成', '卫华村')).toContain('您是说 /整改 吗？')
    expect(await f.say(SECRETARY, '今天的垃圾都清完了', '卫华村')).toBeUndefined()
    expect(await f.say(SECRETARY, '你好', '卫华村', { mentionedSelf: true })).toContain('发 /帮助 查看可以说什么')
  })

  it('refuses a resident politely, saying who may do it, and changes nothing', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    for (const who of [RESIDENT, STRANGER]) {
      const reply = await f.say(who, '/整改 卫华村 已完成', '卫华村')
      expect(reply).toBe('抱歉，/整改 只有乡办公室管理员、村书记或网格员可以使用。发现问题可以告诉本村网格员或村干部；发 /台账 可查看整改进度。')
    }
    expect((await f.ledger.get(1)).status).toBe('待整改')
    expect(await f.say(RESIDENT, '/台账', '卫华村')).toContain('卫华村台账：共 1 条')
  })

  it('keeps a secretary to their own village', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    expect(await f.say(OTHER_SECRETARY, '/整改 1 已完成', '渔业村')).toContain('您负责的是渔业村，不能处理卫华村的记录')
    expect(await f.say(OTHER_SECRETARY, '/问题 卫华村 路边垃圾', '卫华村')).toContain('不能处理卫华村的记录')
    expect(await f.say(GRID, '/整改 1 整改中', '卫华村')).toContain('待整改 → 整改中')
  })

  it('lets a supervisor verify or send back work, with a reason', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    expect(await f.say(SECRETARY, '/销号 1', '卫华村')).toContain('只有乡办公室管理员、包村干部或值班领导可以使用')
    expect(await f.say(SUPERVISOR, '/销号 1', '卫华村')).toContain('村里报告已完成后才能销号')
    await f.say(SECRETARY, '/整改 1 已完成', '卫华村')
    expect(await f.say(SUPERVISOR, '/退回 1', '卫华村')).toContain('请写明退回的原因')
    const back = await f.say(SUPERVISOR, '路边还有垃圾没清完', '卫华村')
    expect(back).toContain('已完成 → 整改中')
    expect(back).toContain('退回原因：路边还有垃圾没清完')
    await f.say(SECRETARY, '/整改 1 已完成', '卫华村')
    expect(await f.say(SUPERVISOR, '/销号 1', '卫华村')).toContain('#1 卫华村 三组路边垃圾堆放：已销号')
    expect(await f.say('wxid_sup_han', '/销号 1', '卫华村')).toContain('不能处理卫华村的记录')
  })

  it('answers the queries: 台账, 查询, 逾期, 统计, 排名, 帮助', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放 限期1天', '卫华村')
    await f.say('wxid_sec_yuye', '/问题 江边屯柴草垛', '渔业村')
    await f.say('wxid_sec_yuye', '/整改 渔业村 已完成', '渔业村')
    f.clock.advanceDays(3)
    expect(await f.say(ADMIN, '/逾期')).toContain('#1 卫华村 三组路边垃圾堆放【待整改】 限期12月1日（逾期2天） 责任人：赵德明')
    expect(await f.say(ADMIN, '/查询 1')).toContain('赵德明 登记')
    expect(await f.say(ADMIN, '/统计')).toContain('汇集问题 2 条，已完成整改 1 条（已销号 0），未完成 1 条，逾期 1 条，完成率 50.0%')
    expect((await f.say(ADMIN, '/统计 卫华'))?.split('\n')[0]).toBe('📋 卫华村台账：共 1 条，未完成 1，已完成 0（已销号 0），逾期 1，完成率 0.0%')
    const ranking = await f.say(ADMIN, '/排名')
    expect(ranking?.split('\n')[1]).toBe('1. 渔业村 完成率 100.0%（1/1）')
    expect(await f.say(ADMIN, '/台账')).toContain('渔业村：共 1，已完成 1')
    const help = await f.say(RESIDENT, '/帮助', '卫华村')
    expect(help).toContain('您的身份：村民')
    expect(help).not.toContain('/销号')
    expect(await f.say(SUPERVISOR, '/帮助 销号')).toContain('写法：/销号 编号')
  })

  it('handles a redelivered message once', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    const message = { id: 'same-id', conversationId: 'group-卫华村@chatroom', where: { kind: 'village' as const, village: '卫华村' }, talkerId: SECRETARY, talkerName: '赵德明', text: '/问题 五组柴草垛', mentionedSelf: false, sentAt: f.clock() }
    expect(await f.dispatch(message)).toBeDefined()
    expect(await f.dispatch(message)).toBeUndefined()
    expect(await f.ledger.list('卫华村')).toHaveLength(2)
  })

  it('drops a replay of the same words under a new id, but not the same command sent again later', async () => {
    f.services.policy.duplicateWindowSeconds = 10
    const sentAt = f.clock()
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村', { sentAt })).toContain('已登记 #1')
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村', { sentAt })).toBeUndefined()
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村', { sentAt: new Date(sentAt.getTime() + 60_000) })).toContain('已登记 #2')
    expect(await f.ledger.list()).toHaveLength(2)
  })

  it('says when a message is handled late', async () => {
    const sentAt = new Date(f.clock().getTime() - 30 * 60_000)
    const reply = await f.say(ADMIN, '/统计', undefined, { sentAt })
    expect(reply?.split('\n')[0]).toMatch(/^（您 \d\d:\d\d 发的消息因助手离线，现在才处理）$/)
  })

  it('answers a flood once that it is too fast, then stays silent until the minute has passed', async () => {
    const replies: (string | undefined)[] = []
    for (let i = 0; i < 24; i++) replies.push(await f.say(RESIDENT, '/台账', '卫华村'))
    expect(replies.slice(0, 20).every((r) => r?.includes('卫华村台账'))).toBe(true)
    expect(replies[20]).toBe('您发得太快了，请过一分钟再发。这段时间发的命令不会处理。')
    expect(replies.slice(21)).toEqual([undefined, undefined, undefined])
    expect(await f.say(SECRETARY, '/台账', '卫华村')).toContain('卫华村台账')
    f.clock.advanceDays(1 / 1440)
    expect(await f.say(RESIDENT, '/台账', '卫华村')).toContain('卫华村台账')
  })

  it('answers a 100,000-character message briefly, without parsing it', async () => {
    expect(await f.say(SECRETARY, '/问题 ' + '垃圾'.repeat(50_000), '卫华村')).toBe('消息太长了（超过 2000 字），没有处理。请把内容分成几条发送。')
    expect(await f.say(SECRETARY, '闲聊'.repeat(50_000), '卫华村')).toBeUndefined()
    expect(await f.ledger.list()).toHaveLength(0)
  })

  it('names a likely duplicate when filing', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放严重', '卫华村')).toContain('疑似与 #1 重复')
  })
})

describe('the error boundary', () => {
  it('answers an unexpected failure with a short code, never the error text or a stack', async () => {
    const f = await dispatcherFixture()
    const broken = defineCommand({
      name: '坏了',
      aliases: [],
      summary: 's',
      usage: '/坏了',
      examples: ['/坏了'],
      roles: ['admin'],
      parse: () => ({}),
      schema: z.object({}),
      run: async () => {
        throw new Error('SQLITE_CORRUPT: secret details')
      },
    })
    const dispatch = createDispatcher({ db: f.db, registry: new Registry([broken]), clock: f.clock, logger: createLogger('silent'), services: f.services, hooks: messageHooks(f.services, createLogger('silent'), { botNames: () => ['整治助手'], commandWords: [] }), replies: { send: async () => {} } })
    const reply = await dispatch({ id: 'x1', conversationId: 'c', where: { kind: 'township' }, talkerId: ADMIN, talkerName: '刘主任', text: '/坏了', mentionedSelf: false, sentAt: f.clock() })
    expect(reply?.text).toMatch(/^系统出错（编号 [0-9a-z]{1,4}），已记录。请稍后再试，或联系乡办公室。$/)
    const row = await f.db.inboxMessage.findUnique({ where: { messageId: 'x1' } })
    expect(row?.outcome).toMatch(/^error /)
    await f.close()
  })

  it('survives any text from anyone without throwing', async () => {
    const f = await dispatcherFixture()
    Object.assign(f.services.policy, { perSenderPerMinute: 1e9, perGroupPerMinute: 1e9 }) // parse, not throttle
    const people = [ADMIN, SECRETARY, SUPERVISOR, RESIDENT, STRANGER, GRID]
    const starts = ['/', '／', '', '/整改 ', '/问题 ', '/销号 ', '/退回 ', '/查询 ', '/台账 ', '/帮助 ']
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...people),
        fc.constantFrom(...starts),
        fc.string({ unit: 'grapheme', maxLength: 60 }),
        fc.constantFrom(undefined, '卫华村', '渔业村'),
        async (who, start, tail, village) => {
          const reply = await f.say(who, start + tail, village)
          if (reply !== undefined) {
            expect(reply.length).toBeGreaterThan(0)
            expect(reply).not.toMatch(/系统出错|Error|at \w+ \(/)
          }
        },
      ),
      { numRuns: 400 },
    )
    await f.close()
  })
})

// The inbox's statements are raw SQL (src/registry/state.ts): the same text must hold on PostgreSQL,
// whose dates and booleans go through another driver.
describe('taking messages in, on PostgreSQL', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture({ provider: 'postgresql' })
  })
  afterEach(() => f.close())

  it('handles a redelivered message once, and a replay of the same words under a new id once', async () => {
    f.services.policy.duplicateWindowSeconds = 10
    const message = { id: 'same-id', conversationId: 'group-卫华村@chatroom', where: { kind: 'village' as const, village: '卫华村' }, talkerId: SECRETARY, talkerName: '赵德明', text: '/问题 五组柴草垛', mentionedSelf: false, sentAt: f.clock() }
    expect(await f.dispatch(message)).toBeDefined()
    expect(await f.dispatch(message)).toBeUndefined()
    const sentAt = new Date(f.clock().getTime() + 1000)
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村', { sentAt })).toContain('已登记 #2')
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村', { sentAt: new Date(sentAt.getTime() + 5000) })).toBeUndefined()
    expect(await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村', { sentAt: new Date(sentAt.getTime() + 60_000) })).toContain('已登记 #3')
    expect(await f.ledger.list()).toHaveLength(3)
    // The redelivery and the replay were not taken in at all; the three that were, were handled.
    expect(await f.db.inboxMessage.count()).toBe(3)
    expect(await f.db.inboxMessage.count({ where: { handledAt: { not: null } } })).toBe(3)
  })
})
