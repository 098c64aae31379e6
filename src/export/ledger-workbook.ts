// /导出 台账: every problem with every field, its history, residents' reports and extension requests.
import type { Database } from '../db/index.ts'
import { DONE_STATUSES, OPEN_STATUSES, STATUS, type Status } from '../ledger/status.ts'
import { day, excelDate, joinText, local, newSheet, noteRow, toFile, workbook, writeTable, type Column, type ExcelFile, type LedgerExportOptions } from './workbook.ts'

// ---------------------------------------------------------------------------------------------
// 整改台账

const LEDGER_COLUMNS: Column[] = [
  { header: '编号', type: 'number' },
  { header: '村' },
  { header: '自然屯' },
  { header: '网格' },
  { header: '类别' },
  { header: '问题描述', wrap: true, max: 40 },
  { header: '来源' },
  { header: '发现人' },
  { header: '发现时间', type: 'date' },
  { header: '限期', type: 'date' },
  { header: '责任人' },
  { header: '状态' },
  { header: '是否逾期' },
  { header: '完成时间', type: 'date' },
  { header: '销号时间', type: 'date' },
  { header: '整改前照片（张）', type: 'number' },
  { header: '整改后照片（张）', type: 'number' },
  { header: '照片疑似重复', wrap: true, max: 40 },
  { header: '黄牌/红牌' },
  { header: '最后更新', type: 'date' },
]

const HISTORY_COLUMNS: Column[] = [
  { header: '编号', type: 'number' },
  { header: '时间', type: 'date' },
  { header: '操作人' },
  { header: '操作' },
  { header: '原状态' },
  { header: '新状态' },
  { header: '说明', wrap: true, max: 50 },
  { header: '消息编号', max: 24 },
]

const REPORT_COLUMNS: Column[] = [
  { header: '编号' },
  { header: '村' },
  { header: '反映内容', wrap: true, max: 40 },
  { header: '反映人' },
  { header: '反映时间', type: 'date' },
  { header: '照片（张）', type: 'number' },
  { header: '状态' },
  { header: '转入问题' },
  { header: '处理人' },
  { header: '处理说明', wrap: true, max: 40 },
  { header: '更新时间', type: 'date' },
]

const EXTENSION_COLUMNS: Column[] = [
  { header: '问题编号', type: 'number' },
  { header: '村' },
  { header: '延期天数', type: 'number' },
  { header: '理由', wrap: true, max: 40 },
  { header: '申请人' },
  { header: '申请时间', type: 'date' },
  { header: '状态' },
  { header: '审批人' },
  { header: '审批说明', wrap: true, max: 40 },
  { header: '审批时间', type: 'date' },
]

const dateOrNull = (d: Date | null | undefined) => (d ? excelDate(d) : null)

/** The 整改台账 workbook: 整改台账, 整改经过, 随手拍, 延期申请. */
export async function exportLedger(db: Database, options: LedgerExportOptions): Promise<ExcelFile> {
  const { townshipName, now, village } = options
  const where = village ? { village } : {}
  const problems = await db.problem.findMany({ where, orderBy: { id: 'asc' }, include: { history: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } } })
  const ids = problems.map((p) => p.id)
  const inProblems = village ? { problemId: { in: ids } } : {}
  const [reports, cards, extensions] = await Promise.all([
    db.report.findMany({ where, orderBy: { id: 'asc' } }),
    db.card.findMany({ where: inProblems, orderBy: { id: 'asc' } }),
    db.deadlineExtension.findMany({ where: inProblems, orderBy: { id: 'asc' } }),
  ])
  const links = await db.photoLink.findMany({
    where: village ? { OR: [{ problemId: { in: ids } }, { reportId: { in: reports.map((r) => r.id) } }] } : {},
    select: { problemId: true, reportId: true, kind: true, reuseNote: true },
    orderBy: { id: 'asc' },
  })

  const photos = new Map<number, { before: number; after: number; reuse: string[] }>()
  const reportPhotos = new Map<number, number>()
  for (const link of links) {
    if (link.reportId !== null) reportPhotos.set(link.reportId, (reportPhotos.get(link.reportId) ?? 0) + 1)
    if (link.problemId === null) continue
    const entry = photos.get(link.problemId) ?? { before: 0, after: 0, reuse: [] }
    if (link.kind === '整改前') entry.before++
    if (link.kind === '整改后') entry.after++
    if (link.reuseNote) entry.reuse.push(link.reuseNote)
    photos.set(link.problemId, entry)
  }
  const cardsOf = new Map<number, string[]>()
  for (const card of cards) cardsOf.set(card.problemId, [...(cardsOf.get(card.problemId) ?? []), card.color])
  const villageOf = new Map(problems.map((p) => [p.id, p.village]))

  const scope = village ?? townshipName
  const wb = await workbook(now, `${scope}整改台账`)

  const overdue = (p: (typeof problems)[number]) => OPEN_STATUSES.includes(p.status as Status) && p.deadline !== null && p.deadline < now
  const ledger = newSheet(wb, '整改台账', `${scope}人居环境整治整改台账（${day(now)}）`, 1)
  const ledgerLast = writeTable(
    ledger,
    LEDGER_COLUMNS,
    problems.map((p) => {
      const photo = photos.get(p.id)
      return [
        p.id,
        p.village,
        p.hamlet,
        p.grid,
        p.category,
        p.description,
        p.source,
        p.reporterName,
        excelDate(p.createdAt),
        dateOrNull(p.deadline),
        p.responsibleName,
        p.status,
        overdue(p) ? '是' : '否',
        dateOrNull(p.completedAt),
        dateOrNull(p.verifiedAt),
        photo?.before ?? 0,
        photo?.after ?? 0,
        joinText(photo?.reuse ?? []) || null,
        (cardsOf.get(p.id) ?? []).join('、') || null,
        excelDate(p.updatedAt),
      ]
    }),
  )
  const overdueColumn = LEDGER_COLUMNS.findIndex((c) => c.header === '是否逾期') + 1
  for (let r = 2; r <= ledgerLast; r++) {
    const cell = ledger.getCell(r, overdueColumn)
    if (cell.value === '是') cell.font = { bold: true, color: { argb: 'FFC00000' } }
  }
  const done = problems.filter((p) => DONE_STATUSES.includes(p.status as Status)).length
  noteRow(
    ledger,
    ledgerLast + 2,
    LEDGER_COLUMNS.length,
    `共 ${problems.length} 条，已完成 ${done} 条（其中已销号 ${problems.filter((p) => p.status === STATUS.verified).length} 条），逾期 ${problems.filter(overdue).length} 条。导出时间：${local(now).format('YYYY-MM-DD HH:mm')}（北京时间）。`,
  )

  const history = newSheet(wb, '整改经过', `${scope}整改经过（${day(now)}）`)
  writeTable(
    history,
    HISTORY_COLUMNS,
    problems.flatMap((p) => p.history.map((h) => [h.problemId, excelDate(h.at), h.actorName, h.action, h.fromStatus, h.toStatus, h.note, h.messageId])),
  )

  const reportSheet = newSheet(wb, '随手拍', `${scope}随手拍（${day(now)}）`)
  writeTable(
    reportSheet,
    REPORT_COLUMNS,
    reports.map((r) => [
      `R${r.id}`,
      r.village,
      r.description,
      r.reporterName,
      excelDate(r.createdAt),
      reportPhotos.get(r.id) ?? 0,
      r.status,
      r.problemId === null ? null : `#${r.problemId}`,
      r.decidedByName,
      r.decisionNote,
      excelDate(r.updatedAt),
    ]),
  )

  const extensionSheet = newSheet(wb, '延期申请', `${scope}延期申请（${day(now)}）`)
  writeTable(
    extensionSheet,
    EXTENSION_COLUMNS,
    extensions.map((e) => [
      e.problemId,
      villageOf.get(e.problemId) ?? null,
      e.days,
      e.reason,
      e.requestedByName,
      excelDate(e.createdAt),
      e.status,
      e.decidedByName,
      e.decisionNote,
      dateOrNull(e.decidedAt),
    ]),
  )

  const name = ['整改台账', townshipName, ...(village ? [village] : []), day(now)].join('-') + '.xlsx'
  return toFile(wb, name)
}

