// How a campaign record reads in chat, with what /更正 replaced and whether /撤销 took it back.
import { formatDateTime } from '../time.ts'
import { describe, type RecordWithHistory } from './campaign.ts'
import type { RecordKind } from './figures.ts'
import { formatAmount } from './quantity.ts'

export function recordDetail(r: RecordWithHistory): string {
  const kind = r.kind as RecordKind
  const what = [r.village, r.subject].filter(Boolean).join(' ')
  return [
    `记录 ${r.id} ${kind}${what ? ' ' + what : ''}${r.category ? `（${r.category}）` : ''}`,
    `登记：${r.actorName} ${formatDateTime(r.createdAt)}`,
    `现在：${describe(kind, r.figures, formatAmount) || '无数量'}`,
    ...(r.note ? [`说明：${r.note}`] : []),
    ...(r.undoneAt ? [`已撤销：${r.undoneByName ?? ''} ${formatDateTime(r.undoneAt)}，不计入统计`] : []),
    ...(r.corrections.length === 0
      ? ['未更正过']
      : [`更正 ${r.corrections.length} 次：`, ...r.corrections.map((c) => `  ${formatDateTime(c.at)} ${c.actorName}：${c.before} → ${c.after}`)]),
  ].join('\n')
}
