// Reporting progress on a problem touches the ledger, its photos and the residents who
// reported it; /整改 and a held 已完成 completed by a photo both come through here.
import type { Problem } from '../db/index.ts'
import { statusLine, STATUS, type ProgressStatus } from '../ledger/index.ts'
import type { Services } from '../services.ts'

export interface ProgressInput {
  /** Read in this message's transaction: the move starts from its status, without reading it again. */
  problem: Problem
  status: ProgressStatus
  note?: string
  actor: { id: string; name: string }
  messageId: string
}

/** Changes the status, tells the residents whose report it was, and returns the reply. */
export async function applyProgress(services: Services, input: ProgressInput): Promise<string> {
  const { ledger, township, reports, notify } = services
  const { problem, from, counts } = await ledger.progress(input.problem, input.status, input.note, {
    actorId: input.actor.id,
    actorName: input.actor.name,
    messageId: input.messageId,
  })
  const lines = [`✅ #${problem.id} ${problem.village} ${problem.description}：${from} → ${problem.status}`]
  if (input.note) lines.push(`说明：${input.note}`)
  if (problem.status === STATUS.done) {
    const supervisors = township.supervisorsOf(problem.village)
    lines.push(`请包村干部${supervisors.length > 0 ? ` ${supervisors.join('、')} ` : ''}核实后销号（/销号 ${problem.id}）。`)
    for (const report of await reports.ofProblem(problem.id)) {
      await notify.send(report.conversationId, `您反映的问题（随手拍 R${report.id}）已整改完成：${problem.description}。\n看过现场后请回复 /确认 R${report.id}；如果还没整改好，回复 /未整改 R${report.id} 说明情况。`, [report.reporterId])
    }
  }
  lines.push(statusLine(counts))
  return lines.join('\n')
}
