// Quote to answer: "已完成" written under the bot's "📝 已登记 #12 …" is "/整改 12 已完成". The
// quoted message must be one the bot really sent in this conversation (its WeChat id, or its
// very text under the bot's name), so a pasted look-alike does nothing; the command that
// results goes through the same permission and scope checks as a typed one.
import type { Actor } from '../config/township.ts'
import { PROGRESS_LOOKALIKES, PROGRESS_STATUSES } from '../ledger/index.ts'
import { problemNumbersIn, type Quote } from '../registry/quote.ts'
import type { IncomingMessage } from '../registry/dispatch.ts'
import { splitCommand, tokenize } from '../registry/text.ts'
import type { Services } from '../services.ts'

/** Reply words and the command they stand for, with the problem number put in. */
const MEANINGS: { words: readonly string[]; command: string; keep: boolean }[] = [
  { words: [...PROGRESS_STATUSES, ...Object.keys(PROGRESS_LOOKALIKES)], command: '整改', keep: true },
  { words: ['销号', '核销', '同意销号'], command: '销号', keep: false },
  { words: ['退回', '打回', '返工'], command: '退回', keep: false },
  { words: ['延期', '申请延期'], command: '延期', keep: false },
  { words: ['照片', '看照片'], command: '照片', keep: false },
  { words: ['查询', '详情', '进度'], command: '查询', keep: false },
]

export interface QuoteMeaning {
  command: string
  /** Asked first when the quoted message is old. */
  confirm?: string
}

/** What a reply under a quote means, or undefined to read it as it is. */
export async function meaningOfQuote(message: IncomingMessage & { quote: Quote }, _actor: Actor, services: Services, options: { botNames: string[]; commandWords: readonly string[] }): Promise<QuoteMeaning | { reply: string } | 'as written' | undefined> {
  const { quote } = message
  const sent = quote.quotedMessageId
    ? await services.sent.byWechatId(message.conversationId, quote.quotedMessageId)
    : options.botNames.includes(quote.quotedName)
      ? await services.sent.byText(message.conversationId, quote.quotedText)
      : undefined
  if (!sent) return undefined // someone else's message, or not one the bot sent here: the reply is read as written
  const reply = message.text.trim()
  if (splitCommand(reply, options.commandWords)?.slash) return 'as written' // a full command under a quote stands alone
  const numbers = problemNumbersIn(sent.text)
  if (numbers.length === 0) return 'as written' // a question: the reply answers it as the sender's next message would
  const words = tokenize(reply)
  let id = numbers.length === 1 ? numbers[0] : undefined
  if (id === undefined) {
    const named = words.map((w) => Number(w.replace(/^#/, ''))).find((n) => numbers.includes(n))
    if (named === undefined) return { reply: `您引用的消息里有 ${numbers.map((n) => `#${n}`).join('、')}，请写明是哪一个，例如 /整改 ${numbers[0]} 已完成` }
    id = named
    words.splice(words.findIndex((w) => Number(w.replace(/^#/, '')) === named), 1)
  }
  const first = words[0] ?? ''
  const meaning = MEANINGS.find((m) => m.words.includes(first))
  const head = meaning?.command ?? (options.commandWords.includes(first) ? first : undefined)
  if (!head) return 'as written'
  const rest = meaning?.keep ? words : words.slice(1)
  const command = `/${head} ${id} ${rest.join(' ')}`.trim()
  const ageDays = (message.sentAt.getTime() - sent.sentAt.getTime()) / 86_400_000
  if (ageDays > services.policy.quoteWindowDays) {
    return { command, confirm: `您引用的是 ${Math.floor(ageDays)} 天前的消息，要对 #${id} 执行「${command}」吗？` }
  }
  return { command }
}
