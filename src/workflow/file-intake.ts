// A file sent to the bot: an .xlsx from an admin is kept for /导入 人员 or /导入 台账; other
// files and other senders are ordinary chat.
import type { Actor } from '../config/township.ts'
import type { Services } from '../services.ts'
import type { Handled, IncomingMessage } from '../registry/dispatch.ts'

export async function intakeFile(message: IncomingMessage, actor: Actor, services: Services): Promise<Handled> {
  const file = message.file
  if (!file || actor.role !== 'admin') return undefined
  if (file === 'unavailable') return { reply: '这个文件没有收到（太大或网络不好）。请确认是 .xlsx 文件，再发一次。', outcome: 'file unavailable' }
  if (!/\.xlsx$/i.test(file.name)) return undefined
  await services.imports.keep({ messageId: message.id, conversationId: message.conversationId, talkerId: message.talkerId, file })
  return { reply: `收到「${file.name}」。导入人员名单请发 /导入 人员，导入原有整改台账请发 /导入 台账（导入前会先给您看预览）。`, outcome: 'file kept' }
}
