// Hand-made records for the 周通报 / 月考核 tests: Problem, ProblemChange and Card objects built
// directly (no database). All times are Shanghai wall-clock times.
import type { Card, Problem, ProblemChange } from '../../src/db/generated/client.ts'
import { STATUS } from '../../src/ledger/status.ts'

/** `2026-11-24 10:00` (Shanghai) → the instant. */
export const sh = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}+08:00`)

export interface Made {
  problems: Problem[]
  changes: ProblemChange[]
  cards: Card[]
}

export class Records implements Made {
  problems: Problem[] = []
  changes: ProblemChange[] = []
  cards: Card[] = []
  private changeId = 1
  private cardId = 1

  /** Files problem `id` (登记 at `created`) and applies `moves` ([when, toStatus], in order). */
  problem(id: number, village: string, created: Date, deadline: Date | null, moves: [Date, string][] = []): this {
    let status: string = STATUS.todo
    let completedAt: Date | null = null
    let verifiedAt: Date | null = null
    const add = (at: Date, action: string, from: string | null, to: string) =>
      this.changes.push({ id: this.changeId++, problemId: id, action, fromStatus: from, toStatus: to, note: null, actorId: 'wx-1', actorName: '张三', messageId: null, at })
    add(created, '登记', null, STATUS.todo)
    let updatedAt = created
    for (const [at, to] of moves) {
      add(at, to === STATUS.verified ? '销号' : status === STATUS.done || status === STATUS.verified ? '退回' : '整改', status, to)
      if (to === STATUS.done) completedAt = at
      if (to === STATUS.verified) verifiedAt = at
      if (to === STATUS.doing) {
        completedAt = null
        verifiedAt = null
      }
      status = to
      updatedAt = at
    }
    this.problems.push({
      id, village, hamlet: null, grid: null, category: '垃圾', description: `问题${id}`, source: '巡查', reporterId: 'wx-1', reporterName: '张三',
      responsibleName: null, deadline, status, createdAt: created, updatedAt, completedAt, verifiedAt, importKey: null,
    })
    return this
  }

  card(problemId: number, village: string, color: '黄牌' | '红牌', issuedAt: Date, daysOverdue: number): this {
    this.cards.push({ id: this.cardId++, problemId, village, color, daysOverdue, issuedAt })
    return this
  }
}

export const VILLAGES = ['卫华村', '渔业村', '卫明村', '新兴村']

/**
 * Two weeks of a small township. W48 = 11月23日—11月29日 [11-23 00:00, 11-30 00:00),
 * W49 = 11月30日—12月6日 [11-30 00:00, 12-07 00:00); November = [11-01 00:00, 12-01 00:00).
 *
 *  卫华村
 *   #1  filed 11-20, 限期 11-25 23:59:59; 整改中 11-22; still open → overdue since 11-26
 *   #2  filed 11-21, 限期 12-10;          已完成 11-26 (W48), 已销号 12-01 10:00 (W49)
 *   #3  filed 12-02 (W49), 限期 12-03 23:59:59; untouched → overdue at W49's end
 *   cards: 黄牌 #1 11-28 (W48, November), 红牌 #1 12-02 (W49, December), 黄牌 #3 12-06 09:00 (W49)
 *  渔业村
 *   #4  filed 11-23 09:00 (W48), 限期 12-03 23:59:59; 整改中 11-25; 已完成 12-02 10:00 (W49, on time)
 *   #5  filed 11-24 (W48), 限期 12-01 23:59:59; 已完成 12-03 10:00 (W49, late); 已销号 12-04 10:00
 *   #6  filed 12-01 08:00 (W49), 限期 12-20; untouched
 *  卫明村
 *   #7  filed 11-16, 限期 11-18 23:59:59; 已完成 11-19 10:00 (late); 已销号 11-21
 *   #8  filed 11-25, 限期 12-31; 整改中 11-27; 已完成 11-29 (W48); 退回→整改中 12-01 10:00; 已完成 12-04 (W49)
 *   #9  filed 11-26, 限期 11-28 23:59:59; 已完成 11-28 20:00 (W48, on time)
 *   #10 filed Sunday 12-06 23:30 (still W49), 限期 12-08; untouched
 *   #11 filed Monday 12-07 00:30 Shanghai = Sunday 12-06 16:30 UTC → W50, not in W49
 *  新兴村
 *   #12 filed 11-02, 限期 11-05 23:59:59; 已完成 11-10 (late); never 销号
 */
export function township(): Records {
  const { todo: _todo, doing, done, verified } = STATUS
  return new Records()
    .problem(1, '卫华村', sh('2026-11-20 10:00'), sh('2026-11-25 23:59:59'), [[sh('2026-11-22 10:00'), doing]])
    .problem(2, '卫华村', sh('2026-11-21 10:00'), sh('2026-12-10 23:59:59'), [[sh('2026-11-26 10:00'), done], [sh('2026-12-01 10:00'), verified]])
    .problem(3, '卫华村', sh('2026-12-02 10:00'), sh('2026-12-03 23:59:59'))
    .problem(4, '渔业村', sh('2026-11-23 09:00'), sh('2026-12-03 23:59:59'), [[sh('2026-11-25 10:00'), doing], [sh('2026-12-02 10:00'), done]])
    .problem(5, '渔业村', sh('2026-11-24 10:00'), sh('2026-12-01 23:59:59'), [[sh('2026-12-03 10:00'), done], [sh('2026-12-04 10:00'), verified]])
    .problem(6, '渔业村', sh('2026-12-01 08:00'), sh('2026-12-20 23:59:59'))
    .problem(7, '卫明村', sh('2026-11-16 10:00'), sh('2026-11-18 23:59:59'), [[sh('2026-11-19 10:00'), done], [sh('2026-11-21 10:00'), verified]])
    .problem(8, '卫明村', sh('2026-11-25 10:00'), sh('2026-12-31 23:59:59'), [
      [sh('2026-11-27 10:00'), doing],
      [sh('2026-11-29 10:00'), done],
      [sh('2026-12-01 10:00'), doing],
      [sh('2026-12-04 10:00'), done],
    ])
    .problem(9, '卫明村', sh('2026-11-26 10:00'), sh('2026-11-28 23:59:59'), [[sh('2026-11-28 20:00'), done]])
    .problem(10, '卫明村', sh('2026-12-06 23:30'), sh('2026-12-08 23:59:59'))
    .problem(11, '卫明村', new Date('2026-12-06T16:30:00Z'), sh('2026-12-10 23:59:59'))
    .problem(12, '新兴村', sh('2026-11-02 10:00'), sh('2026-11-05 23:59:59'), [[sh('2026-11-10 10:00'), done]])
    .card(1, '卫华村', '黄牌', sh('2026-11-28 09:00'), 3)
    .card(1, '卫华村', '红牌', sh('2026-12-02 09:00'), 7)
    .card(3, '卫华村', '黄牌', sh('2026-12-06 09:00'), 3)
}
