import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/index.ts'
import { exportLedger } from '../../src/export/index.ts'
import { readLedgerSheet } from '../../src/import/ledger-sheet.ts'
import { ImportError } from '../../src/import/workbook.ts'
import { endOfDayAfter } from '../../src/time.ts'
import { freshDatabase } from '../support/db.ts'
import { excel, sh, xlsx, type Cell } from './sheets.ts'

const now = sh('2026-11-29 15:00')
const read = (data: Buffer) => readLedgerSheet(data, { now })
/** The end of a Shanghai day: what a date alone means as a 限期. */
const endOf = (day: string) => new Date(sh(`${day} 23:59:59`).getTime() + 999)
/** The readers leave out what a row does not have, rather than set it to undefined. */
const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

describe('readLedgerSheet', () => {
  it('reads a header in row 1', async () => {
    const data = await xlsx([
      ['村', '问题描述', '发现日期', '限期', '责任人', '状态'],
      ['卫华村', '三组路边垃圾堆放', excel('2026-11-20'), excel('2026-11-25'), '赵德明', '整改中'],
    ])
    expect(await read(data)).toEqual({
      rows: [{ row: 2, village: '卫华村', description: '三组路边垃圾堆放', foundAt: sh('2026-11-20 00:00'), deadline: endOf('2026-11-25'), responsible: '赵德明', status: '整改中' }],
      problems: [],
    })
  })

  it('finds the header in row 4 under a title, columns shuffled, synonyms, merged village cells', async () => {
    const data = await xlsx(
      [
        ['示范乡农村人居环境整治问题台账'],
        ['填报单位（盖章）：', null, null, '填报时间：2026年11月'],
        [],
        ['序号', '整改进度', '存在问题', '登记日期', '所在村', '整改期限', '整改责任人', '自然屯', '问题类别', '所在网格', '备注'],
        [1, '未整改', '柴草垛占道', '11月3日', '渔业村', '12月5日', '钱永福', '江边屯', '柴草垛', '渔业村第2网格', '已通知'],
        [2, '', '边沟堵塞', '11.4', null, '2026/12/10', null, null, null, null, null],
        [3, null, null, null, null, null, null, null, null, null, '（以下空白）'],
      ],
      (ws) => {
        ws.mergeCells('A1:K1')
        ws.mergeCells('E5:E6') // one village written once for two rows
      },
    )
    expect(await read(data)).toEqual({
      rows: [
        { row: 5, village: '渔业村', description: '柴草垛占道', foundAt: sh('2026-11-03 00:00'), deadline: endOf('2026-12-05'), responsible: '钱永福', status: '待整改', hamlet: '江边屯', category: '柴草垛', grid: '渔业村第2网格' },
        { row: 6, village: '渔业村', description: '边沟堵塞', foundAt: sh('2026-11-04 00:00'), deadline: endOf('2026-12-10'), status: '待整改' },
      ],
      problems: [],
    })
  })

  it.each([
    ['问题', '村名', '日期', '截止日期', '整改状态'],
    ['描述', '村', '发现时间', '整改期限', '进度'],
    ['问题描述', '所在村', '发现日期', '限期', '状态'],
  ])('accepts the header words %s %s %s %s %s', async (...header) => {
    const { rows } = await read(await xlsx([header, ['垃圾', '卫华村', '2026-11-05', '2026-11-10', '已完成']]))
    expect(rows).toEqual([{ row: 2, village: '卫华村', description: '垃圾', foundAt: sh('2026-11-05 00:00'), deadline: endOf('2026-11-10'), status: '已完成' }])
  })

  describe('dates', () => {
    const forms: [string, Cell][] = [
      ['a real Excel date', excel('2026-11-05')],
      ['a real Excel date with a time', excel('2026-11-05 14:30')],
      ['2026-11-05', '2026-11-05'],
      ['2026/11/5', '2026/11/5'],
      ['2026.11.5', '2026.11.5'],
      ['2026年11月5日', '2026年11月5日'],
      ['2026年11月5号', '2026年11月5号'],
      ['11月5日', '11月5日'],
      ['11月5号', '11月5号'],
      ['11.5 as text', '11.5'],
      ['11.5 typed into a General cell (a number)', 11.5],
      ['11/5', '11/5'],
      ['20261105', 20261105],
      ['an Excel serial left as a number', 46331],
      ['full-width digits', '２０２６－１１－０５'],
      ['with a time', '2026-11-05 14:30'],
    ]
    it.each(forms)('reads %s', async (_, value) => {
      const { rows, problems } = await read(await xlsx([['村', '问题描述', '发现日期', '限期'], ['卫华村', '垃圾', value, value]]))
      expect(problems).toEqual([])
      const timed = _.includes('time')
      expect(rows[0]!.foundAt).toEqual(timed ? sh('2026-11-05 14:30') : sh('2026-11-05 00:00'))
      // A date alone as a 限期 is the whole day, as /问题 … 限期11月5日 makes it.
      expect(rows[0]!.deadline).toEqual(timed ? sh('2026-11-05 14:30') : endOf('2026-11-05'))
    })

    it('takes 11月5日 in the year of options.now', async () => {
      const { rows } = await readLedgerSheet(await xlsx([['村', '问题描述', '发现日期'], ['卫华村', '垃圾', '3月1日']]), { now: sh('2027-01-02 10:00') })
      expect(rows[0]!.foundAt).toEqual(sh('2027-03-01 00:00'))
    })

    it('reports dates it cannot read, days that do not exist, and 11.1 that may have been 11.10', async () => {
      const data = await xlsx([
        ['村', '问题描述', '发现日期', '整改期限'],
        ['卫华村', '垃圾', '上周', null],
        ['卫华村', '垃圾', '2026-02-30', '5天'],
        ['卫华村', '垃圾', 11.1, null],
      ])
      expect(await read(data)).toEqual({
        rows: [],
        problems: [
          { row: 2, reason: '发现日期“上周”不是日期，请写成 2026-11-05、2026/11/5、2026年11月5日 或 11月5日' },
          { row: 3, reason: '发现日期“2026-02-30”没有这一天；整改期限“5天”不是日期，请写成 2026-11-05、2026/11/5、2026年11月5日 或 11月5日' },
          { row: 4, reason: '发现日期“11.1”分不清是 11月1日 还是 11月10日，请写成 11月1日 这样' },
        ],
      })
    })
  })

  it('normalises statuses, takes an empty one as 待整改, and names an unknown one with the allowed words', async () => {
    const words = ['未整改', '待整改', '未完成', '整改中', '正在整改', '已整改', '已完成', '完成', '已销号', '销号', '已验收', null, ' 已完成 ', '搁置']
    const data = await xlsx([['村', '问题描述', '状态'], ...words.map((w) => ['卫华村', '垃圾', w])])
    const { rows, problems } = await read(data)
    expect(rows.map((r) => r.status)).toEqual(['待整改', '待整改', '待整改', '整改中', '整改中', '已完成', '已完成', '已完成', '已销号', '已销号', '已销号', '待整改', '已完成'])
    expect(problems).toHaveLength(1)
    expect(problems[0]!.row).toBe(15)
    expect(problems[0]!.reason).toMatch(/^状态“搁置”不认识，请写 待整改、整改中、已完成、已销号（也可写 未整改、未完成.*已验收）$/)
  })

  it('reports a row with a village but no description, and one with a description but no village', async () => {
    const data = await xlsx([['村', '问题描述', '责任人'], ['卫华村', null, '赵德明'], [null, '村口垃圾', null], ['卫华村', '路边垃圾', null]])
    expect(await read(data)).toEqual({
      rows: [{ row: 4, village: '卫华村', description: '路边垃圾' }],
      problems: [
        { row: 2, reason: '没有问题描述' },
        { row: 3, reason: '没有写村名' },
      ],
    })
  })

  it('takes 编号 when it is one of ours (12, #12) and leaves a clerk\'s own code out', async () => {
    const data = await xlsx([['编号', '村', '问题描述'], [12, '卫华村', '甲'], ['#13', '卫华村', '乙'], ['WH-001', '卫华村', '丙']])
    expect((await read(data)).rows.map((r) => r.number)).toEqual([12, 13, undefined])
  })

  it('refuses a sheet without a 问题描述 column, saying which column to add', async () => {
    const error = await read(await xlsx([['村', '责任人'], ['卫华村', '赵德明']])).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ImportError)
    expect((error as Error).message).toContain('缺少 “问题描述” 这一列')
  })
})

describe('the assistant\'s own 整改台账 export reads back', () => {
  let db: Database
  beforeAll(async () => {
    ;({ db } = await freshDatabase())
  })
  afterAll(() => db.$disconnect())

  it('with every problem\'s village, description, dates, status and number', async () => {
    const base = { reporterId: 'wxid_sup', reporterName: '马包村', source: '巡查' }
    const created = [
      // Deadlines as /问题 … 限期5天 stores them (the last millisecond of the day), and one at midnight.
      { village: '卫华村', hamlet: '三组屯', grid: '网格3', category: '垃圾', description: '三组路边垃圾堆放', responsibleName: '赵德明', status: '整改中', createdAt: sh('2026-11-20 09:30'), deadline: endOfDayAfter(sh('2026-11-20 09:30'), 5) },
      { village: '卫华村', category: '柴草垛', description: '村口柴草垛\n占道两处', status: '已销号', createdAt: sh('2026-11-21 10:00'), deadline: endOfDayAfter(sh('2026-11-21 10:00'), 14), completedAt: sh('2026-11-26 16:45'), verifiedAt: sh('2026-11-27 08:00:30') },
      { village: '渔业村', category: '边沟', description: '边沟堵塞', status: '待整改', createdAt: sh('2026-11-28 23:59:59') },
      { village: '渔业村', category: '其他', description: "'; DROP TABLE Problem; -- 😀", status: '已完成', createdAt: sh('2026-11-28 00:00'), deadline: sh('2026-12-01 00:00'), completedAt: sh('2026-11-29 00:00:01') },
    ]
    for (const p of created) await db.problem.create({ data: { ...base, ...p, updatedAt: p.createdAt } })

    const file = await exportLedger(db, { townshipName: '示范乡', now })
    const { rows, problems } = await read(file.data)
    expect(problems).toEqual([])
    expect(rows).toEqual(
      created.map((p, i) =>
        expect.objectContaining(defined({
          row: i + 2,
          number: i + 1,
          village: p.village,
          description: p.description,
          status: p.status,
          category: p.category,
          foundAt: p.createdAt,
          deadline: p.deadline,
          completedAt: p.completedAt,
          verifiedAt: p.verifiedAt,
          ...(p.hamlet ? { hamlet: p.hamlet, grid: p.grid, responsible: p.responsibleName } : {}),
        })),
      ),
    )
    // The summary line merged under the table is not a problem row; absent dates stay absent.
    expect(rows).toHaveLength(created.length)
    expect(rows[2]).not.toHaveProperty('deadline')
  })

  it('also with a title row inserted above the headers, as a clerk might add', async () => {
    await db.problem.deleteMany()
    const { id } = await db.problem.create({ data: { reporterId: 'x', reporterName: '马包村', source: '巡查', village: '卫明村', category: '厕所', description: '旱厕', status: '待整改', createdAt: sh('2026-11-02 08:00'), updatedAt: sh('2026-11-02 08:00') } })
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load((await exportLedger(db, { townshipName: '示范乡', now })).data as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('整改台账')!
    ws.spliceRows(1, 0, ['示范乡整改台账（11月）'], [])
    const { rows } = await read(Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer))
    expect(rows).toEqual([expect.objectContaining({ row: 4, number: id, village: '卫明村', description: '旱厕', foundAt: sh('2026-11-02 08:00'), status: '待整改' })])
  })
})
