import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIGURES_BY_KIND, RECORD_KINDS } from '../src/campaign/figures.ts'
import type { Database } from '../src/db/index.ts'
import { exportCampaign, exportLedger } from '../src/export/index.ts'
import { freshDatabase } from './support/db.ts'

/** `2026-11-24 10:00` (Shanghai) → the instant. */
const sh = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}+08:00`)
/** What Excel shows for a Shanghai wall-clock time: the same fields, read back as UTC. */
const shown = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}Z`)

const now = sh('2026-11-29 15:00')
const actor = { actorId: 'wxid_sec', actorName: '赵德明' }

async function fill(db: Database) {
  // #1 卫华村: overdue, in progress, a yellow card.
  await db.problem.create({
    data: {
      village: '卫华村', hamlet: '三组屯', grid: '网格3', category: '垃圾', description: '三组路边垃圾堆放', source: '巡查',
      reporterId: 'wxid_sup', reporterName: '马包村', responsibleName: '赵德明', deadline: sh('2026-11-25 23:59:59'), status: '整改中',
      createdAt: sh('2026-11-20 09:30'), updatedAt: sh('2026-11-22 11:00'),
      history: {
        create: [
          { action: '登记', toStatus: '待整改', actorId: 'wxid_sup', actorName: '马包村', messageId: 'm1', at: sh('2026-11-20 09:30') },
          { action: '整改', fromStatus: '待整改', toStatus: '整改中', note: '已联系铲车', ...actor, messageId: 'm2', at: sh('2026-11-22 11:00') },
        ],
      },
    },
  })
  // #2 卫华村: verified, with before/after photos, one suspected reuse.
  await db.problem.create({
    data: {
      village: '卫华村', category: '柴草垛', description: '村口柴草垛', source: '群众反映', reporterId: 'wxid_sup', reporterName: '马包村',
      deadline: sh('2026-12-05 23:59:59'), status: '已销号', createdAt: sh('2026-11-21 10:00'), updatedAt: sh('2026-11-27 08:00'),
      completedAt: sh('2026-11-26 16:45'), verifiedAt: sh('2026-11-27 08:00'),
      history: {
        create: [
          { action: '登记', toStatus: '待整改', ...actor, at: sh('2026-11-21 10:00') },
          { action: '整改', fromStatus: '待整改', toStatus: '已完成', ...actor, at: sh('2026-11-26 16:45') },
          { action: '销号', fromStatus: '已完成', toStatus: '已销号', actorId: 'wxid_sup', actorName: '马包村', at: sh('2026-11-27 08:00') },
        ],
      },
    },
  })
  // #3 渔业村: waiting, not yet due, an extension asked for.
  await db.problem.create({
    data: {
      village: '渔业村', category: '边沟', description: '边沟堵塞', source: '督导', reporterId: 'wxid_sup', reporterName: '马包村',
      deadline: sh('2026-12-10 23:59:59'), status: '待整改', createdAt: sh('2026-11-28 14:00'), updatedAt: sh('2026-11-28 14:00'),
      history: { create: [{ action: '登记', toStatus: '待整改', ...actor, at: sh('2026-11-28 14:00') }] },
    },
  })
  await db.card.create({ data: { problemId: 1, village: '卫华村', color: '黄牌', daysOverdue: 3, issuedAt: sh('2026-11-28 08:00') } })
  const photo = (n: number) =>
    db.photo.create({
      data: { sha256: `sha${n}`, dhash: '0'.repeat(16), format: 'jpeg', width: 10, height: 10, bytes: 100, senderId: 'wxid_sec', senderName: '赵德明', conversationId: 'g', messageId: `p${n}`, receivedAt: sh('2026-11-21 10:00') },
    })
  const photos = await Promise.all([1, 2, 3].map(photo))
  const link = (photoId: number, kind: string, reuseNote?: string) =>
    db.photoLink.create({ data: { photoId, problemId: 2, kind, reuseNote, linkedById: 'wxid_sec', linkedByName: '赵德明', linkedAt: sh('2026-11-26 16:45') } })
  await link(photos[0]!.id, '整改前')
  await link(photos[1]!.id, '整改前')
  await link(photos[2]!.id, '整改后', '该照片与 #1 的整改前照片高度相似')
  await db.report.create({
    data: { village: '卫华村', description: '路边有垃圾', reporterId: 'wxid_res', reporterName: '李大妈', conversationId: 'g', status: '已受理', problemId: 1, decidedByName: '马包村', createdAt: sh('2026-11-20 08:00'), updatedAt: sh('2026-11-20 09:30') },
  })
  await db.deadlineExtension.create({
    data: { problemId: 3, days: 5, reason: '下雨', requestedById: 'wxid_sec', requestedByName: '赵德明', conversationId: 'g', status: '待批准', createdAt: sh('2026-11-29 09:00') },
  })

  const record = (kind: string, village: string | null, at: string, figures: { figure: string; value: number; detail?: string }[], extra: { subject?: string; category?: string; undoneAt?: Date } = {}) =>
    db.campaignRecord.create({ data: { kind, village, ...extra, ...actor, messageId: `r-${at}`, createdAt: sh(at), figures: { create: figures } } })
  await record('清运', '卫华村', '2026-11-24 10:00', [{ figure: 'garbage', value: 12 }, { figure: 'ditches', value: 0.5 }, { figure: 'haystacks', value: 3 }])
  await record('清运', '卫华村', '2026-11-25 10:00', [{ figure: 'garbage', value: 3.5 }])
  await record('清运', '渔业村', '2026-11-26 10:00', [{ figure: 'garbage', value: 8 }, { figure: 'manure', value: 2 }])
  await record('清运', '渔业村', '2026-11-27 10:00', [{ figure: 'garbage', value: 100 }], { undoneAt: sh('2026-11-27 10:05') })
  await record('活动', null, '2026-11-27 08:00', [{ figure: 'people', value: 50 }, { figure: 'plants', value: 200, detail: '小叶丁香' }], { subject: '绿化种植周' })
  await record('庭院', '卫华村', '2026-11-28 09:00', [{ figure: 'courtyards', value: 1 }, { figure: 'reward', value: 2024 }], { subject: '王某某', category: '贫困户' })
  const correction = (recordId: number, before: string, after: string, at: string) =>
    db.recordCorrection.create({ data: { recordId, before, after, actorId: 'wxid_office', actorName: '刘主任', messageId: `c-${at}`, at: sh(at) } })
  await correction(1, '垃圾10吨、边沟0.5公里、柴草垛3处', '垃圾12吨、边沟0.5公里、柴草垛3处', '2026-11-24 11:00')
  await correction(4, '垃圾10吨', '垃圾100吨', '2026-11-27 10:02')
}

async function load(data: Buffer) {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(data as unknown as ArrayBuffer)
  return wb
}
const rowValues = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).values as unknown[]).slice(1)
const sheet = (wb: ExcelJS.Workbook, name: string) => {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}`)
  return ws
}
/**
 * The number a cell shows: a plain number, or a formula's cached result. `cell.result`, not
 * `cell.value.result`: exceljs's `value` getter drops a falsy result, so a cached 0 reads back missing.
 */
const num = (ws: ExcelJS.Worksheet, r: number, c: number) => {
  const cell = ws.getCell(r, c)
  return cell.formula ? cell.result : cell.value
}

describe('Excel exports', () => {
  let db: Database
  let ledger: ExcelJS.Workbook
  let campaign: ExcelJS.Workbook
  let names: string[]
  beforeAll(async () => {
    ;({ db } = await freshDatabase())
    await fill(db)
    const [a, b] = await Promise.all([exportLedger(db, { townshipName: '示范乡', now }), exportCampaign(db, { townshipName: '示范乡', now, villages: ['卫华村', '渔业村', '卫明村'] })])
    names = [a.name, b.name]
    ;[ledger, campaign] = await Promise.all([load(a.data), load(b.data)])
  })
  afterAll(() => db.$disconnect())

  it('names the files by township and Shanghai date', () => {
    expect(names).toEqual(['整改台账-示范乡-2026-11-29.xlsx', '统计-示范乡-2026-11-29.xlsx'])
  })

  it('writes every problem with Chinese headers, Shanghai dates, overdue, photos and cards', () => {
    expect(ledger.worksheets.map((w) => w.name)).toEqual(['整改台账', '整改经过', '随手拍', '延期申请'])
    const ws = sheet(ledger, '整改台账')
    expect(rowValues(ws, 1)).toEqual([
      '编号', '村', '自然屯', '网格', '类别', '问题描述', '来源', '发现人', '发现时间', '限期', '责任人', '状态', '是否逾期',
      '完成时间', '销号时间', '整改前照片（张）', '整改后照片（张）', '照片疑似重复', '黄牌/红牌', '最后更新',
    ])
    expect(rowValues(ws, 2)).toEqual([
      1, '卫华村', '三组屯', '网格3', '垃圾', '三组路边垃圾堆放', '巡查', '马包村', shown('2026-11-20 09:30'), shown('2026-11-25 23:59:59'), '赵德明', '整改中', '是',
      undefined, undefined, 0, 0, undefined, '黄牌', shown('2026-11-22 11:00'),
    ])
    const two = ws.getRow(3)
    expect(two.getCell(13).value).toBe('否')
    expect(two.getCell(14).value).toEqual(shown('2026-11-26 16:45'))
    expect(two.getCell(15).value).toEqual(shown('2026-11-27 08:00'))
    expect([two.getCell(16).value, two.getCell(17).value, two.getCell(18).value]).toEqual([2, 1, '该照片与 #1 的整改前照片高度相似'])
    expect(ws.getCell('I2').numFmt).toBe('yyyy-mm-dd hh:mm')
    expect(ws.getRow(4).getCell(13).value).toBe('否')
    expect(ws.getCell('A1').font?.bold).toBe(true)
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    expect(ws.autoFilter).toBe('A1:T4')
    expect(ws.pageSetup).toMatchObject({ orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 })
  })

  it('writes the full history, reports and extension requests', () => {
    const ws = sheet(ledger, '整改经过')
    expect(rowValues(ws, 1)).toEqual(['编号', '时间', '操作人', '操作', '原状态', '新状态', '说明', '消息编号'])
    expect(ws.rowCount).toBe(7)
    expect(rowValues(ws, 3)).toEqual([1, shown('2026-11-22 11:00'), '赵德明', '整改', '待整改', '整改中', '已联系铲车', 'm2'])
    expect(rowValues(ws, 7).slice(0, 2)).toEqual([3, shown('2026-11-28 14:00')])
    expect(sheet(ledger, '随手拍').getRow(2).getCell(8).value).toBe('#1')
    expect(rowValues(sheet(ledger, '延期申请'), 2).slice(0, 5)).toEqual([3, '渔业村', 5, '下雨', '赵德明'])
  })

  it('exports one village on its own', async () => {
    const file = await exportLedger(db, { townshipName: '示范乡', now, village: '渔业村' })
    expect(file.name).toBe('整改台账-示范乡-渔业村-2026-11-29.xlsx')
    const wb = await load(file.data)
    expect(sheet(wb, '整改台账').getCell('A2').value).toBe(3)
    expect(sheet(wb, '整改台账').getCell('A3').value).toBeNull()
    expect(sheet(wb, '整改经过').rowCount).toBe(2)
    expect(sheet(wb, '随手拍').rowCount).toBe(1)
  })

  it('writes a sheet per record kind with units in the headers and totals that equal the sums', () => {
    expect(campaign.worksheets.map((w) => w.name)).toEqual(['汇总', ...RECORD_KINDS, '更正记录'])
    const ws = sheet(campaign, '清运')
    expect(rowValues(ws, 1)).toEqual([
      '时间', '村', '对象/名称', '类别', '垃圾（吨）', '边沟（公里）', '路面（公里）', '柴草垛（处）', '路障（个）', '畜禽粪便（吨）', '垃圾箱（次）', '记录人', '消息编号', '备注', '记录编号',
    ])
    // The undone record (100 t) is left out.
    expect([2, 3, 4].map((r) => ws.getCell(r, 5).value)).toEqual([12, 3.5, 8])
    expect(ws.getCell('A2').value).toEqual(shown('2026-11-24 10:00'))
    expect(ws.getCell('A5').value).toBe('合计')
    expect(ws.getCell('E5').value).toEqual({ formula: 'SUM(E2:E4)', result: 23.5 })
    expect(num(ws, 5, 6)).toBe(0.5)
    expect(num(ws, 5, 10)).toBe(2)
    expect(String(ws.getCell('A7').value)).toContain('已撤销 1 条')
    expect(ws.getCell('N2').value).toBe('已更正 1 次，见更正记录')
    expect([2, 3, 4].map((r) => ws.getCell(r, 15).value)).toEqual([1, 2, 3])
    for (let c = 5; c <= 11; c++) {
      const column = [2, 3, 4].reduce((sum, r) => sum + (Number(ws.getCell(r, c).value) || 0), 0)
      expect(num(ws, 5, c)).toBeCloseTo(column)
    }
    const activity = sheet(campaign, '活动')
    expect(rowValues(activity, 2).slice(1, 3)).toEqual(['乡级', '绿化种植周'])
    expect(String(activity.getCell(2, 4 + FIGURES_BY_KIND.活动.length + 3).value)).toContain('小叶丁香')
    expect(sheet(campaign, '会议').getCell('A2').value).toBe('合计')
  })

  it('sums each figure by village and for the township on 汇总, with the ledger summary', () => {
    const ws = sheet(campaign, '汇总')
    expect(rowValues(ws, 1)).toEqual(['类别', '项目', '单位', '卫华村', '渔业村', '卫明村', '乡级', '全乡合计'])
    const rowOf = (label: string) => {
      for (let r = 2; r <= ws.rowCount; r++) if (ws.getCell(r, 2).value === label) return r
      throw new Error(label)
    }
    const garbage = rowOf('垃圾')
    expect(ws.getCell(garbage, 1).value).toBe('清运')
    expect([4, 5, 6, 7, 8].map((c) => num(ws, garbage, c))).toEqual([15.5, 8, 0, 0, 23.5])
    expect(ws.getCell(garbage, 4).value).toMatchObject({ formula: expect.stringContaining("SUMIFS('清运'!$E$2:$E$4") })
    expect(ws.getCell(garbage, 8).value).toMatchObject({ formula: "'清运'!E5" })
    expect([4, 7, 8].map((c) => num(ws, rowOf('种植'), c))).toEqual([0, 200, 200])
    expect(num(ws, rowOf('奖励'), 4)).toBe(2024)
    const ledgerHeader = rowOf('问题数') // column B of the ledger table's header
    expect(rowValues(ws, ledgerHeader)).toEqual(['村', '问题数', '已完成', '其中已销号', '未完成', '逾期', '完成率'])
    expect(rowValues(ws, ledgerHeader + 1)).toEqual(['卫华村', 2, 1, 1, 1, 1, 0.5])
    const township = rowValues(ws, ledgerHeader + 4)
    expect(township.slice(0, 6)).toEqual(['全乡合计', 3, 1, 1, 2, 1])
    expect(township[6]).toBeCloseTo(1 / 3)
  })

  it('lists every correction on 更正记录: before → after, who, when, and whether the record was undone since', () => {
    const ws = sheet(campaign, '更正记录')
    expect(rowValues(ws, 1)).toEqual(['记录编号', '类别', '村', '对象/名称', '更正前', '更正后', '更正人', '更正时间', '消息编号', '备注'])
    expect(rowValues(ws, 2)).toEqual([1, '清运', '卫华村', undefined, '垃圾10吨、边沟0.5公里、柴草垛3处', '垃圾12吨、边沟0.5公里、柴草垛3处', '刘主任', shown('2026-11-24 11:00'), 'c-2026-11-24 11:00'])
    expect(rowValues(ws, 3).slice(0, 2)).toEqual([4, '清运'])
    expect(rowValues(ws, 3)[9]).toBe('该记录已于 2026-11-27 10:05 撤销')
    expect(ws.getCell('H2').numFmt).toBe('yyyy-mm-dd hh:mm')
  })

  it('orders the 汇总 villages as the config lists them, then villages not in it as first recorded, never by pinyin', async () => {
    const { db: own } = await freshDatabase()
    const record = (village: string, at: string) =>
      own.campaignRecord.create({ data: { kind: '清运', village, ...actor, createdAt: sh(at), figures: { create: [{ figure: 'garbage', value: 1 }] } } })
    await record('卫华村', '2026-11-20 10:00')
    await record('旧红旗村', '2026-11-21 10:00') // renamed since: no longer in the config
    await record('安乐村', '2026-11-22 10:00')
    const file = await exportCampaign(own, { townshipName: '示范乡', now, villages: ['渔业村', '卫华村', '卫明村'] })
    await own.$disconnect()
    const ws = sheet(await load(file.data), '汇总')
    expect(rowValues(ws, 1)).toEqual(['类别', '项目', '单位', '渔业村', '卫华村', '卫明村', '旧红旗村', '安乐村', '全乡合计'])
  })

  it('gives every formula cell its cached result, 0 included, for viewers that do not recalculate', () => {
    const empty: string[] = []
    let formulas = 0
    for (const ws of campaign.worksheets)
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          if (!cell.formula) return
          formulas++
          if (typeof cell.result !== 'number') empty.push(`${ws.name}!${cell.address}`)
        }),
      )
    expect(formulas).toBeGreaterThan(20)
    expect(empty).toEqual([])
    // 卫明村 recorded nothing: its SUMIFS shows 0, not a blank.
    const summary = sheet(campaign, '汇总')
    expect(summary.getCell(2, 6).formula).toContain('SUMIFS')
    expect(summary.getCell(2, 6).result).toBe(0)
  })
})
