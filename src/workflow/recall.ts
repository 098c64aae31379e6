// Recall to undo: when a cadre recalls (撤回) a command within WeChat's window, what it did is
// undone the way /撤销 or the reverse ledger move would, the history saying 撤回, and the group
// hears it in one line. What has been superseded since is reported, not silently kept.
import type { Actor } from '../config/township.ts'
import type { Handled, IncomingMessage } from '../registry/dispatch.ts'
import type { Services } from '../services.ts'

/** The recalled message as the inbox stored it. */
export interface Recalled {
  talkerId: string
  sentAt: Date
  text: string
}

export async function undoRecalled(message: IncomingMessage & { recalledId: string }, original: Recalled | undefined, actor: Actor, services: Services): Promise<Handled> {
  // Only the sender can recall their message; a recall of chat, or of something unknown, is nothing to undo.
  if (!original || original.talkerId !== message.talkerId) return { reply: '', outcome: 'recall of nothing known' }
  const late = message.sentAt.getTime() - original.sentAt.getTime() > (services.policy.recallMinutes + 1) * 60_000
  if (late) return { reply: '', outcome: 'recall too late' }
  const { ledger, campaign, photos } = services
  const meta = { actorId: actor.id, actorName: actor.name, messageId: message.id }
  const undone: string[] = []
  const kept: string[] = []
  for (const change of await ledger.changesFrom(message.recalledId)) {
    if (change.action === '登记') {
      if ((await ledger.withdraw(change.problemId)) === 'done') undone.push(`#${change.problemId} 的登记`)
      else kept.push(`#${change.problemId} 已有后续处理，登记没有取消`)
    } else if (change.fromStatus && change.fromStatus !== change.toStatus) {
      if ((await ledger.revert(change, meta)) === 'done') undone.push(`#${change.problemId} 的「${change.toStatus}」`)
      else kept.push(`#${change.problemId} 之后又有改动（${(await ledger.find(change.problemId)).status}），「${change.toStatus}」没有取消`)
    } else {
      kept.push(`#${change.problemId} 的「${change.action}」不能用撤回取消，请联系包村干部`)
    }
  }
  for (const record of await campaign.recordsFrom(message.recalledId)) {
    await campaign.undo(record.id, actor.name)
    undone.push(`记录 ${record.id}（${record.kind}）`)
  }
  for (const link of await photos.unlinkMessage(message.conversationId, message.recalledId)) {
    const owner = link.problemId ? `#${link.problemId}` : link.reportId ? `随手拍 R${link.reportId}` : `记录 ${link.recordId}`
    undone.push(`${owner} 的一张${link.kind === '整改前' || link.kind === '整改后' ? link.kind : ''}照片`)
  }
  if (undone.length + kept.length === 0) return { reply: '', outcome: 'recall of nothing done' }
  const parts = [...(undone.length > 0 ? [`${undone.join('、')}已取消`] : []), ...kept]
  return { reply: `${actor.name}撤回了消息，${parts.join('；')}。`, outcome: 'recall' }
}
