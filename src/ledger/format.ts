// How ledger records read in chat. Every ledger reply is built from these.
import type { Problem } from '../db/index.ts'
import { daysBetween, formatDate, formatDateTime } from '../time.ts'
import type { ProblemWithHistory, VillageCounts } from './ledger.ts'
import { OPEN_STATUSES, type Status } from './status.ts'

export const percent = (rate: number) => `${(Math.round(rate * 1000) / 10).toFixed(1)}%`

/** The status line that ends every reply that changes the ledger. */
export function statusLine(c: VillageCounts): string {
  return `📋 ${c.village}台账：共 ${c.total} 条，未完成 ${c.open}，已完成 ${c.done}（已销号 ${c.verified}），逾期 ${c.overdue}，完成率 ${percent(c.rate)}`
}

function deadlineText(p: Problem, now: Date): string {
  if (!p.deadline) return ''
  if (!OPEN_STATUSES.includes(p.status as Status)) return ` 限期${formatDate(p.deadline)}`
  const left = daysBetween(now, p.deadline)
  if (p.deadline < now) return ` 限期${formatDate(p.deadline)}（逾期${Math.max(1, -left)}天）`
  return ` 限期${formatDate(p.deadline)}${left <= 2 ? `（剩${left}天）` : ''}`
}

/** One line per problem, as lists show it. */
export function problemLine(p: Problem, now: Date, withVillage = true): string {
  return `#${p.id} ${withVillage ? p.village + ' ' : ''}${p.description}【${p.status}】${deadlineText(p, now)}`
}

export function problemDetail(p: ProblemWithHistory, now: Date): string {
  const lines = [
    `#${p.id} ${[p.village, p.hamlet, p.grid].filter(Boolean).join(' ')}`,
    `问题：${p.description}`,
    `类别：${p.category}　来源：${p.source}`,
    `状态：${p.status}${deadlineText(p, now)}`,
    `发现：${p.reporterName} ${formatDateTime(p.createdAt)}`,
    `责任人：${p.responsibleName ?? '未指定'}`,
    '经过：',
    ...p.history.map(
      (h) => `  ${formatDateTime(h.at)} ${h.actorName} ${h.action}${h.fromStatus && h.fromStatus !== h.toStatus ? ` ${h.fromStatus}→${h.toStatus}` : ''}${h.note ? `（${h.note}）` : ''}`,
    ),
  ]
  return lines.join('\n')
}

/** A table of village counts, one line per village. */
export function countsTable(rows: VillageCounts[]): string {
  return rows
    .map((c) => (c.total === 0 ? `${c.village}：暂无登记的问题` : `${c.village}：共 ${c.total}，已完成 ${c.done}（销号 ${c.verified}），未完成 ${c.open}，逾期 ${c.overdue}，完成率 ${percent(c.rate)}`))
    .join('\n')
}
