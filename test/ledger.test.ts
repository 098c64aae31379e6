import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { Ledger, similarText, STATUS } from '../src/ledger/index.ts'
import { endOfDayAfter } from '../src/time.ts'
import { freshDatabase } from './support/db.ts'
import { manualClock } from './support/township.ts'

const meta = { actorId: 'wxid_sec_weihua', actorName: '赵德明', messageId: 'm1' }
const newProblem = (clock: () => Date, description = '三组路边垃圾堆放', days = 5) => ({
  village: '卫华村',
  category: '垃圾',
  description,
  source: '巡查',
  deadline: endOfDayAfter(clock(), days),
})

describe('Ledger', () => {
  let db: Database
  let clock: ReturnType<typeof manualClock>
  let ledger: Ledger
  beforeEach(async () => {
    ;({ db } = await freshDatabase())
    clock = manualClock()
    ledger = new Ledger(db, clock)
  })
  afterEach(() => db.$disconnect())

  it('files a problem with its first history row', async () => {
    const { problem } = await ledger.file(newProblem(clock), meta)
    const stored = await ledger.get(problem.id)
    expect(stored.status).toBe(STATUS.todo)
    expect(stored.history).toMatchObject([{ action: '登记', toStatus: '待整改', actorName: '赵德明', messageId: 'm1' }])
  })

  it('moves through the brief\'s statuses and records each move with who and from what', async () => {
    const { problem } = await ledger.file(newProblem(clock), meta)
    await ledger.progress(problem.id, STATUS.doing, '已联系铲车', meta)
    await ledger.progress(problem.id, STATUS.done, undefined, meta)
    await ledger.sendBack(problem.id, '还有垃圾', { actorId: 'wxid_sup_ma', actorName: '马包村' })
    await ledger.progress(problem.id, STATUS.done, undefined, meta)
    await ledger.verify(problem.id, { actorId: 'wxid_sup_ma', actorName: '马包村' })
    const stored = await ledger.get(problem.id)
    expect(stored.status).toBe(STATUS.verified)
    expect(stored.verifiedAt).not.toBeNull()
    expect(stored.history.map((h) => `${h.fromStatus ?? ''}>${h.toStatus}`)).toEqual([
      '>待整改',
      '待整改>整改中',
      '整改中>已完成',
      '已完成>整改中',
      '整改中>已完成',
      '已完成>已销号',
    ])
    expect(stored.history[3]).toMatchObject({ action: '退回', note: '还有垃圾', actorName: '马包村' })
  })

  it('refuses moves the brief does not allow, with a reason', async () => {
    const { problem } = await ledger.file(newProblem(clock), meta)
    await expect(ledger.verify(problem.id, meta)).rejects.toThrow('村里报告已完成后才能销号')
    await expect(ledger.sendBack(problem.id, 'x', meta)).rejects.toThrow('还没有报告完成')
    await ledger.progress(problem.id, STATUS.done, undefined, meta)
    await expect(ledger.progress(problem.id, STATUS.done, undefined, meta)).rejects.toThrow('已经是已完成')
    await ledger.verify(problem.id, meta)
    await expect(ledger.progress(problem.id, STATUS.doing, undefined, meta)).rejects.toThrow('已销号')
    await expect(ledger.get(999)).rejects.toThrow('没有 #999')
  })

  it('counts open, done, verified and overdue per village', async () => {
    const a = (await ledger.file(newProblem(clock, '路边垃圾', 1), meta)).problem
    const b = (await ledger.file(newProblem(clock, '柴草垛占道', 10), meta)).problem
    await ledger.file(newProblem(clock, '边沟堵塞', 1), meta)
    await ledger.progress(b.id, STATUS.done, undefined, meta)
    clock.advanceDays(3)
    const [weihua, yuye] = await ledger.counts(['卫华村', '渔业村'])
    expect(weihua).toEqual({ village: '卫华村', total: 3, open: 2, done: 1, verified: 0, overdue: 2, rate: 1 / 3 })
    expect(yuye).toEqual({ village: '渔业村', total: 0, open: 0, done: 0, verified: 0, overdue: 0, rate: 0 })
    expect((await ledger.overdue()).map((p) => p.id)).toContain(a.id)
  })

  it('counts from one GROUP BY what a full recount of the rows gives', async () => {
    const now = clock().getTime()
    const statuses = ['待整改', '整改中', '已完成', '已销号', '作废']
    const deadlines = [null, now - 86_400_000, now, now + 1, now + 86_400_000]
    const villages = ['卫华村', '渔业村', '外村']
    let i = 0
    for (const village of villages) for (const status of statuses) for (const deadline of deadlines) {
      for (let n = 0; n <= i % 3; n++) {
        await db.problem.create({
          data: { village, status, deadline: deadline === null ? null : new Date(deadline), category: '垃圾', description: `问题${i}`, source: '巡查', reporterId: 'x', reporterName: 'x', createdAt: clock(), updatedAt: clock() },
        })
      }
      i++
    }
    const asked = ['卫华村', '渔业村', '新民村']
    const rows = await db.problem.findMany()
    const recount = asked.map((village) => {
      const mine = rows.filter((p) => p.village === village)
      const open = mine.filter((p) => p.status === '待整改' || p.status === '整改中')
      const done = mine.filter((p) => p.status === '已完成' || p.status === '已销号').length
      return {
        village,
        total: mine.length,
        open: open.length,
        done,
        verified: mine.filter((p) => p.status === '已销号').length,
        overdue: open.filter((p) => p.deadline && p.deadline.getTime() < now).length,
        rate: mine.length === 0 ? 0 : done / mine.length,
      }
    })
    expect(await ledger.counts(asked)).toEqual(recount)
  })

  it('names an open problem that reads almost the same', async () => {
    const first = (await ledger.file(newProblem(clock, '三组路边垃圾堆放'), meta)).problem
    const { similar } = await ledger.file(newProblem(clock, '三组路边垃圾堆放严重'), meta)
    expect(similar?.id).toBe(first.id)
    const { similar: none } = await ledger.file(newProblem(clock, '村部厕所破损'), meta)
    expect(none).toBeUndefined()
  })
})

describe('similarText', () => {
  it('matches a description and its near copies, not unrelated ones', () => {
    expect(similarText('三组路边垃圾堆放', '三组 路边垃圾堆放')).toBe(true)
    expect(similarText('三组路边垃圾堆放', '三组路边垃圾乱放')).toBe(true)
    expect(similarText('三组路边垃圾堆放', '五组柴草垛占道')).toBe(false)
  })
})
