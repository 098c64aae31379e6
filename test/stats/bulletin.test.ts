// The bulletin's numbers for the two weeks of fixtures.ts, every one worked out by hand.
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { BULLETIN_LAYOUT, buildBulletin, bulletinPicture, bulletinText, type Bulletin, type BulletinInput, type VillageWeek } from '../../src/stats/bulletin.ts'
import { previousWeek, weekOf } from '../../src/stats/periods.ts'
import { sh, township, VILLAGES } from './fixtures.ts'

const W49 = weekOf(sh('2026-12-03 12:00'))
const W48 = previousWeek(W49)

function bulletinFor(week = W49, extra: Partial<BulletinInput> = {}): Bulletin {
  const r = township()
  return buildBulletin({ townshipName: '示范乡', villages: VILLAGES, problems: r.problems, changes: r.changes, cards: r.cards, week, ...extra })
}

/** The integer columns and the three rates of a row, for one toEqual. */
const numbers = (r: VillageWeek | undefined) =>
  r && [r.newThisWeek, r.completedThisWeek, r.verifiedThisWeek, r.open, r.overdue, r.total, r.done]
const rates = (r: VillageWeek | undefined) => r && [r.rate, r.previousRate, r.change]

describe('buildBulletin, week 49 (11月30日—12月6日)', () => {
  const b = bulletinFor(W49, { dutyLeader: '李乡长', inspections: 2 })
  const row = (v: string) => b.rows.find((r) => r.village === v)

  it('has one row per village, in config order', () => {
    expect(b.rows.map((r) => r.village)).toEqual(VILLAGES)
    expect(b.week.key).toBe('2026-W49')
  })

  //            new completed verified open overdue total done
  // 卫华村      1 (#3)   0     1 (#2)   2 (#1 整改中, #3 待整改)  2 (#1 限期11-25, #3 限期12-03)  3 (#1 #2 #3)  1 (#2)
  //   rate = 1/3; previous (at 11-30 00:00: #1 整改中, #2 已完成) = 1/2; change = 1/3 − 1/2 = −1/6
  it('卫华村: a verification, two overdue, no completion', () => {
    expect(numbers(row('卫华村'))).toEqual([1, 0, 1, 2, 2, 3, 1])
    const [rate, previous, change] = rates(row('卫华村'))!
    expect(rate).toBeCloseTo(1 / 3, 12)
    expect(previous).toBeCloseTo(1 / 2, 12)
    expect(change).toBeCloseTo(-1 / 6, 12)
  })

  // 渔业村: new 1 (#6); completed 2 (#4 12-02, #5 12-03); verified 1 (#5 12-04); open 1 (#6);
  //   overdue 0 (#4/#5 done, #6 限期12-20); total 3; done 2 → rate 2/3;
  //   previous: #4 整改中, #5 待整改 → 0/2 = 0; change = 2/3
  it('渔业村: two completions from nothing', () => {
    expect(numbers(row('渔业村'))).toEqual([1, 2, 1, 1, 0, 3, 2])
    const [rate, previous, change] = rates(row('渔业村'))!
    expect(rate).toBeCloseTo(2 / 3, 12)
    expect(previous).toBe(0)
    expect(change).toBeCloseTo(2 / 3, 12)
  })

  // 卫明村: new 1 (#10 filed Sunday 23:30; #11 filed Monday 00:30 = Sunday 16:30 UTC is next week's);
  //   completed 1 (#8: 退回 12-01, 已完成 again 12-04); verified 0; open 1 (#10); overdue 0 (#10 限期12-08);
  //   total 4 (#7 #8 #9 #10); done 3 → rate 3/4; previous: #7 #8 #9 all done → 3/3 = 1; change = −1/4
  it('卫明村: a redo after 退回 counts as this week\'s completion; Monday 00:30 belongs to next week', () => {
    expect(numbers(row('卫明村'))).toEqual([1, 1, 0, 1, 0, 4, 3])
    expect(rates(row('卫明村'))).toEqual([0.75, 1, -0.25])
  })

  // 新兴村: #12 done since 11-10: total 1, done 1, rate 1 = previous, change 0, nothing this week.
  it('新兴村: quiet', () => {
    expect(numbers(row('新兴村'))).toEqual([0, 0, 0, 0, 0, 1, 1])
    expect(rates(row('新兴村'))).toEqual([1, 1, 0])
  })

  // 全乡 = column sums: new 1+1+1+0 = 3, completed 0+2+1+0 = 3, verified 1+1+0+0 = 2, open 2+1+1+0 = 4,
  //   overdue 2, total 3+3+4+1 = 11, done 1+2+3+1 = 7 → rate 7/11;
  //   previous: total 2+2+3+1 = 8, done 1+0+3+1 = 5 → 5/8; change = 7/11 − 5/8 = 1/88 ≈ +1.1 points
  it('totals are the sums, with rates from the sums', () => {
    expect(b.totals.village).toBe('全乡')
    expect(numbers(b.totals)).toEqual([3, 3, 2, 4, 2, 11, 7])
    expect(b.totals.rate).toBeCloseTo(7 / 11, 12)
    expect(b.totals.previousRate).toBeCloseTo(5 / 8, 12)
    expect(b.totals.change).toBeCloseTo(1 / 88, 12)
  })

  // Red list candidates (rate rose, or completed work without losing ground): 渔业村 (+2/3, 2 done);
  //   卫明村 completed one but fell 1/4, so it is not "best progress". Black list: overdue and no completion: 卫华村 only (2 overdue).
  it('red and black lists', () => {
    expect(b.redList).toEqual(['渔业村'])
    expect(b.blackList).toEqual([{ village: '卫华村', reason: '逾期 2 条，本周无进展' }])
  })

  // Cards: 黄牌 #1 11-28 is last week's; 红牌 #1 12-02 and 黄牌 #3 12-06 are this week's.
  it('cards of the week, oldest first', () => {
    expect(b.cardsThisWeek.map((c) => [c.color, c.problemId])).toEqual([['红牌', 1], ['黄牌', 3]])
    expect(b.dutyLeader).toBe('李乡长')
    expect(b.inspections).toBe(2)
    expect(b.clearance).toBeUndefined()
  })

  it('reads as a short WeChat message', () => {
    const text = bulletinText(b, '示范乡')
    const lines = text.split('\n')
    expect(lines[0]).toBe('示范乡人居环境整治周通报（11月30日—12月6日）')
    expect(text).toContain('全乡：本周新增 3 条，完成 3 条，销号 2 条；累计 11 条，未完成 4，逾期 2，完成率 63.6%（较上周↑1.1个百分点）')
    expect(lines).toContain('卫华村：新增 1，完成 0，销号 1，未完成 2，逾期 2，完成率 33.3%（↓16.7）')
    expect(lines).toContain('渔业村：新增 1，完成 2，销号 1，未完成 1，逾期 0，完成率 66.7%（↑66.7）')
    expect(lines).toContain('卫明村：新增 1，完成 1，销号 0，未完成 1，逾期 0，完成率 75.0%（↓25.0）')
    expect(lines).toContain('新兴村：新增 0，完成 0，销号 0，未完成 0，逾期 0，完成率 100.0%（持平）')
    expect(lines).toContain('【红榜】渔业村（完成 2 条，完成率↑66.7个百分点）')
    expect(lines).toContain('【黑榜】卫华村（逾期 2 条，本周无进展）')
    expect(lines).toContain('【督办】黄牌 1 张（卫华村 #3）；红牌 1 张（卫华村 #1）')
    expect(lines).toContain('【巡查督导】本周 2 次')
    expect(lines).toContain('【值班领导】李乡长')
    expect(text).not.toContain('【清运】')
    expect(lines.length).toBeLessThanOrEqual(14)
  })

  it('says 暂无记录 without inspections, and shows clearance when given', () => {
    const text = bulletinText(bulletinFor(W49, { clearance: ['垃圾 12 吨', '边沟 0.5 公里'] }), '示范乡')
    expect(text).toContain('【巡查督导】暂无记录')
    expect(text).toContain('【清运】垃圾 12 吨；边沟 0.5 公里')
    expect(text).not.toContain('值班领导')
  })
})

describe('buildBulletin, week 48 (11月23日—11月29日)', () => {
  const b = bulletinFor(W48)
  const row = (v: string) => b.rows.find((r) => r.village === v)

  // 卫华村: new 0; completed 1 (#2 11-26); verified 0; open 1 (#1); overdue 1 (#1 限期11-25 < 11-30);
  //   total 2; done 1 → 1/2; previous (11-23 00:00: #1 整改中, #2 待整改) 0/2; change +1/2
  // 渔业村: new 2 (#4 #5); nothing done; overdue 0 (#5 限期12-01 is after 11-30); rate 0; no previous → 0; change 0
  // 卫明村: new 2 (#8 #9); completed 2 (#8 11-29, #9 11-28); total 3, done 3 → 1; previous #7 done → 1; change 0
  // 新兴村: 1/1, unchanged
  it('rows', () => {
    expect(numbers(row('卫华村'))).toEqual([0, 1, 0, 1, 1, 2, 1])
    expect(rates(row('卫华村'))).toEqual([0.5, 0, 0.5])
    expect(numbers(row('渔业村'))).toEqual([2, 0, 0, 2, 0, 2, 0])
    expect(rates(row('渔业村'))).toEqual([0, 0, 0])
    expect(numbers(row('卫明村'))).toEqual([2, 2, 0, 0, 0, 3, 3])
    expect(rates(row('卫明村'))).toEqual([1, 1, 0])
    expect(numbers(row('新兴村'))).toEqual([0, 0, 0, 0, 0, 1, 1])
  })

  // Red: 卫华村 (+1/2, 1 done), 卫明村 (0, 2 done) → by change. Black: 卫华村 is overdue but completed
  // something, so nobody. Cards: 黄牌 #1 11-28.
  it('lists and cards', () => {
    expect(b.redList).toEqual(['卫华村', '卫明村'])
    expect(b.blackList).toEqual([])
    expect(b.cardsThisWeek.map((c) => [c.color, c.problemId])).toEqual([['黄牌', 1]])
    expect(bulletinText(b, '示范乡')).toContain('【黑榜】无')
  })
})

describe('buildBulletin, edges', () => {
  it('ignores problems and cards of villages not listed, so totals stay the row sums', () => {
    const b = buildBulletin({ ...inputOf(), villages: ['卫华村', '渔业村'] })
    expect(b.rows.map((r) => r.village)).toEqual(['卫华村', '渔业村'])
    expect(b.totals.total).toBe(6)
  })

  it('rebuilds status from the problem row when it has no history rows', () => {
    const r = township()
    // Drop #2's rows: 已完成 11-26 (completedAt) and 已销号 12-01 (verifiedAt) still count.
    const b = buildBulletin({ ...inputOf(), changes: r.changes.filter((c) => c.problemId !== 2) })
    expect(numbers(b.rows[0])).toEqual([1, 0, 1, 2, 2, 3, 1])
  })

  it('gives the same result whatever order the history rows come in', () => {
    const input = inputOf()
    const shuffled = [...input.changes].reverse()
    expect(buildBulletin({ ...input, changes: shuffled })).toEqual(buildBulletin(input))
  })

  it('a township with no problems yet', () => {
    const b = buildBulletin({ townshipName: '示范乡', villages: VILLAGES, problems: [], changes: [], cards: [], week: W49 })
    expect(b.totals).toMatchObject({ total: 0, rate: 0, change: 0 })
    expect(b.redList).toEqual([])
    expect(bulletinText(b, '示范乡')).toContain('卫华村：暂无登记的问题')
  })
})

function inputOf(): BulletinInput {
  const r = township()
  return { townshipName: '示范乡', villages: VILLAGES, problems: r.problems, changes: r.changes, cards: r.cards, week: W49 }
}

describe('bulletinPicture', () => {
  it('renders a ~1080 px PNG with the table drawn', async () => {
    const b = bulletinFor(W49, { dutyLeader: '李乡长', inspections: 2, clearance: ['垃圾 12 吨'] })
    const png = await bulletinPicture(b, '示范乡')
    const meta = await sharp(png).metadata()
    expect(meta.format).toBe('png')
    expect(meta.width).toBe(BULLETIN_LAYOUT.width)
    expect(meta.height).toBeGreaterThan(900)

    // The table's body (village rows + 全乡) holds dark text: count dark pixels there.
    const L = BULLETIN_LAYOUT
    const top = L.tableTop + L.headerHeight
    const region = await sharp(png)
      .extract({ left: L.margin, top, width: L.width - 2 * L.margin, height: L.rowHeight * (b.rows.length + 1) })
      .greyscale()
      .raw()
      .toBuffer()
    const dark = region.reduce((n, v) => n + (v < 100 ? 1 : 0), 0)
    expect(dark).toBeGreaterThan(2000)
    // …and each row has ink of its own (no row left blank).
    const width = L.width - 2 * L.margin
    for (let k = 0; k <= b.rows.length; k++) {
      let ink = 0
      for (let y = k * L.rowHeight; y < (k + 1) * L.rowHeight; y++) for (let x = 0; x < width; x++) if (region[y * width + x]! < 100) ink++
      expect(ink, `row ${k}`).toBeGreaterThan(200)
    }
  })

  it('copes with no villages and with long names', async () => {
    const empty = buildBulletin({ townshipName: 'x', villages: [], problems: [], changes: [], cards: [], week: W49 })
    expect((await sharp(await bulletinPicture(empty, '示范乡')).metadata()).width).toBe(1080)
    const long = buildBulletin({ ...inputOf(), villages: ['卫华村<&>"特别长的村名字超过了表格的宽度"', ...VILLAGES] })
    expect((await sharp(await bulletinPicture(long, '一个名字非常非常非常非常非常非常长的乡镇<script>')).metadata()).width).toBe(1080)
  })
})
