// The timetable with a hand-moved clock: each post exactly once, at Shanghai times, caught up
// after a short outage and reported after a long one; reminders, cards, tips, extensions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADMIN, dispatcherFixture, SECRETARY, SUPERVISOR } from './support/dispatcher.ts'

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>
const TOWNSHIP = 'group-township@chatroom'
const WEIHUA = 'group-卫华村@chatroom'
const at = (iso: string) => new Date(iso)

describe('scheduled posts', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  const postsTo = (conversationId: string, word: string) => f.posts.filter((p) => p.conversationId === conversationId && p.text.includes(word))

  it('posts the weekly bulletin once, at 08:00 Monday Shanghai time (Sunday 24:00 UTC), for the week that ended', async () => {
    f.clock.set(at('2026-11-27T02:00:00Z')) // Friday of week 48
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    await f.say(SECRETARY, '/清运 垃圾12吨 边沟0.5公里', '卫华村')
    await f.say(SUPERVISOR, '/巡查 卫华村', '卫华村')
    f.clock.set(at('2026-11-29T23:59:00Z')) // Monday 07:59 in Shanghai, still Sunday in UTC
    await f.services.schedule.check()
    expect(postsTo(TOWNSHIP, '周通报')).toHaveLength(0)
    f.clock.set(at('2026-11-30T00:00:30Z')) // Monday 08:00:30 in Shanghai
    await f.services.schedule.check()
    await f.services.schedule.check()
    const bulletins = postsTo(TOWNSHIP, '周通报')
    expect(bulletins).toHaveLength(1)
    expect(bulletins[0]!.text).toContain('11月23日')
    expect(bulletins[0]!.text).toContain('本周新增 1 条')
    expect(bulletins[0]!.file?.name).toBe('周通报-2026-W48.png')
    expect(bulletins[0]!.text).toContain('【巡查督导】本周 1 次')
    expect(bulletins[0]!.text).toContain('【清运】垃圾12吨、边沟0.5公里')
  })

  it('does not post again after a restart just after a post, and catches up once after a short outage', async () => {
    f.clock.set(at('2026-11-30T00:00:30Z'))
    await f.services.schedule.check()
    const restarted = f.rebuildServices()
    await restarted.schedule.check()
    expect(postsTo(TOWNSHIP, '周通报')).toHaveLength(1)

    // Down over the next Monday 08:00, back at 10:00: caught up once.
    f.clock.set(at('2026-12-07T02:00:00Z'))
    await f.rebuildServices().schedule.check()
    await f.rebuildServices().schedule.check()
    expect(postsTo(TOWNSHIP, '周通报')).toHaveLength(2)
  })

  it('posts once when two instances check at the same moment', async () => {
    f.clock.set(at('2026-11-30T00:00:30Z'))
    await Promise.all([f.rebuildServices().schedule.check(), f.rebuildServices().schedule.check(), f.services.schedule.check()])
    expect(postsTo(TOWNSHIP, '周通报')).toHaveLength(1)
  })

  it('records a post missed beyond the grace period and tells the admins once', async () => {
    f.clock.set(at('2026-11-30T00:00:30Z'))
    await f.services.schedule.check()
    f.clock.set(at('2026-12-07T14:00:00Z')) // Monday 22:00 Shanghai: 14 hours late
    await f.services.schedule.check()
    await f.services.schedule.check()
    expect(postsTo(TOWNSHIP, '周通报')).toHaveLength(1)
    const reports = f.notices.filter((n) => n.text.includes('错过了「周通报」'))
    expect(reports.map((r) => r.conversationId).sort()).toEqual(['wxid_office_chen', 'wxid_office_liu'])
    expect(reports[0]!.text).toContain('应于 12月7日 08:00 发出')
    expect(await f.say(ADMIN, '/计划')).toMatch(/周通报：下次 12月14日 08:00；上次 12月7日 08:00 错过（助手离线）/)
  })

  it('posts the monthly assessment on the 1st for the month before', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    f.clock.set(at('2026-12-01T01:00:10Z')) // 09:00:10 Shanghai on the 1st
    await f.services.schedule.check()
    const assessments = postsTo(TOWNSHIP, '考核')
    expect(assessments).toHaveLength(1)
    expect(assessments[0]!.text).toContain('2026年11月')
    expect(assessments[0]!.text).toContain('卫华村')
  })

  it('sends every tip to a group before any tip repeats', async () => {
    const seen: string[] = []
    const tipCount = (await f.services.tips.all()).length
    let wednesday = at('2026-12-02T02:00:05Z') // Wednesday 10:00:05 Shanghai
    for (let i = 0; i <= tipCount; i++) {
      f.clock.set(wednesday)
      await f.services.schedule.check()
      wednesday = new Date(wednesday.getTime() + 7 * 86_400_000)
    }
    for (const post of f.posts.filter((p) => p.conversationId === WEIHUA && p.text.startsWith('📢'))) seen.push(post.text)
    expect(seen).toHaveLength(tipCount + 1)
    expect(new Set(seen.slice(0, tipCount)).size).toBe(tipCount)
    expect(seen[tipCount]).toBe(seen[0])
  })

  it('a job runs at its own time only: the backup at 03:00 posts no deadline reminder', async () => {
    f.clock.set(at('2026-11-30T02:00:00Z'))
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放 限期3天', '卫华村')
    f.clock.set(at('2026-11-30T19:00:00Z')) // 12月1日 03:00 in Shanghai: the backup's time
    await f.services.schedule.checkDue(f.clock())
    expect(postsTo(WEIHUA, '整改提醒')).toHaveLength(0)
    f.clock.set(at('2026-12-01T01:00:00Z')) // 09:00: the reminders' time
    await f.services.schedule.checkDue(f.clock())
    expect(postsTo(WEIHUA, '整改提醒')).toHaveLength(1)
  })

  it('reminds before the deadline and when overdue, once each, then issues 黄牌 and 红牌 once', async () => {
    f.clock.set(at('2026-11-30T02:00:00Z'))
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放 限期3天', '卫华村') // deadline: 12月3日 end of day
    const day = async (iso: string) => {
      f.clock.set(at(iso))
      await f.services.schedule.check()
      await f.services.schedule.check()
    }
    await day('2026-12-01T01:00:05Z') // 12月1日 09:00: two days left
    expect(postsTo(WEIHUA, '整改提醒').map((p) => p.text)).toEqual([
      '⏰ 卫华村整改提醒\n#1 三组路边垃圾堆放 限期12月3日（还剩2天）责任人：赵德明\n请抓紧整改，完成后发 /整改 编号 已完成；确需延期请发 /延期 编号 天数 原因。',
    ])
    expect(postsTo(WEIHUA, '整改提醒')[0]!.mentionIds).toEqual([SECRETARY])
    await day('2026-12-02T01:00:05Z')
    await day('2026-12-04T01:00:05Z') // overdue by one day
    expect(postsTo(WEIHUA, '整改提醒')).toHaveLength(2)
    expect(postsTo(WEIHUA, '整改提醒')[1]!.text).toContain('已逾期1天')
    await day('2026-12-06T01:00:05Z') // 3 days overdue: 黄牌
    await day('2026-12-10T01:00:05Z') // 7 days overdue: 红牌
    await day('2026-12-11T01:00:05Z')
    const cards = postsTo(TOWNSHIP, '牌督办')
    expect(cards.map((c) => c.text.split('\n')[0])).toEqual([
      '🟨 黄牌督办：#1 卫华村 三组路边垃圾堆放，已逾期3天，责任人 赵德明',
      '🟥 红牌督办：#1 卫华村 三组路边垃圾堆放，已逾期7天，责任人 赵德明',
    ])
    expect(await f.db.card.findMany({ select: { color: true, problemId: true }, orderBy: { id: 'asc' } })).toEqual([
      { color: '黄牌', problemId: 1 },
      { color: '红牌', problemId: 1 },
    ])
  })

  it('reminds the week\'s duty leader on Monday, from the rotation or as assigned by message', async () => {
    expect(await f.say(ADMIN, '/值班')).toBe('本周值班领导：王乡长')
    expect(await f.say(ADMIN, '/值班 下周 陈干事')).toBe('已安排下周（2026-12-07 起）值班领导：陈干事。')
    f.clock.set(at('2026-11-29T23:30:05Z')) // Monday 07:30 Shanghai
    await f.services.schedule.check()
    f.clock.set(at('2026-12-06T23:30:05Z'))
    await f.services.schedule.check()
    const reminders = postsTo(TOWNSHIP, '值班领导')
    expect(reminders.map((r) => r.text.match(/值班领导：(\S+?)。/)?.[1])).toEqual(['王乡长', '陈干事'])
    expect(reminders.map((r) => r.mentionIds)).toEqual([['wxid_duty_wang'], ['wxid_office_chen']])
  })
})

describe('bulletin, assessment and extensions by message', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  it('answers /通报 with text and a picture, and /考核 for a named month', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    const reply = await f.sayFull(ADMIN, '/通报 本周')
    expect(reply?.text).toContain('周通报')
    expect(reply?.file?.name).toMatch(/^周通报-2026-W49\.png$/)
    expect(await f.say(ADMIN, '/考核 11月')).toContain('2026年11月')
    expect(await f.say(ADMIN, '/考核 13月')).toContain('没看懂「13月」')
    expect(await f.say(SECRETARY, '/通报', '卫华村')).toContain('只有乡办公室管理员、包村干部或值班领导可以使用')
  })

  it('takes a /延期 request to the supervisor, who approves it: the deadline moves and the history says so', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放 限期3天', '卫华村')
    expect(await f.say(SECRETARY, '/延期 1 5天 铲车维修', '卫华村')).toBe('已提交 #1 延期 5 天的申请，等包村干部 马包村 批复。')
    expect(f.notices.at(-1)).toMatchObject({ mentionIds: [SUPERVISOR] })
    expect(f.notices.at(-1)!.text).toContain('同意发 /批准延期 1')
    expect(await f.say(SECRETARY, '/延期 1 3天 再等等', '卫华村')).toBe('#1 已有一条延期申请在等包村干部批复。')
    expect(await f.say(SUPERVISOR, '/批准延期 1', '卫华村')).toBe('已批准 #1 延期 5 天，新限期 12月8日。')
    expect(f.notices.at(-1)).toMatchObject({ text: '#1 的延期申请已批准，新限期 12月8日。', mentionIds: [SECRETARY] })
    expect((await f.ledger.get(1)).history.at(-1)).toMatchObject({ action: '延期', note: '延期5天：铲车维修', actorName: '马包村' })
    await f.say(SECRETARY, '/延期 1 2天 下雪', '卫华村')
    expect(await f.say(SUPERVISOR, '/不批准延期 1 本周必须完成', '卫华村')).toBe('已答复：#1 不批准延期。')
    expect(f.notices.at(-1)!.text).toBe('#1 的延期申请未批准：本周必须完成。请按原限期完成。')
  })

  it('lets an admin push a message or the next tip to a village group, and add a tip', async () => {
    expect(await f.say(ADMIN, '/推送 卫华村 明天上午全村大扫除')).toBe('已向 卫华村 的群推送。')
    expect(f.notices.at(-1)).toMatchObject({ conversationId: WEIHUA, text: '📢 明天上午全村大扫除' })
    expect(await f.say(ADMIN, '/加提示 【冬季防火】柴草垛远离炉灶和电线')).toContain('已加入宣传提示库')
    expect(await f.say(ADMIN, '/推送 全部')).toBe('已向 卫华村、渔业村、卫明村、新民村、永安村、红旗村 的群推送宣传提示。')
    expect(await f.say(SECRETARY, '/推送 卫华村 你好', '卫华村')).toContain('只有乡办公室管理员可以使用')
  })
})
