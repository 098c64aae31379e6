// What the bot said in a conversation, read back from the outbox: a quote (引用) counts as a
// quote of the bot only when it matches a message the bot really sent there.
import type { Database } from '../db/index.ts'

export interface SentMessage {
  text: string
  sentAt: Date
}

/** A leading "@名字 " the bot put before a reply (WeChat shows it in the quoted text too). */
const LEADING_MENTIONS = /^(?:@[^\s\u2005]+[\s\u2005]+)+/

export class SentMessages {
  constructor(private readonly db: Database) {}

  /** The bot's message with this WeChat id in this conversation. */
  async byWechatId(conversationId: string, wechatId: string): Promise<SentMessage | undefined> {
    const row = await this.db.outboxMessage.findFirst({ where: { conversationId, sentMessageId: wechatId, status: 'sent' }, select: { text: true, sentAt: true, createdAt: true } })
    return row ? { text: row.text, sentAt: row.sentAt ?? row.createdAt } : undefined
  }

  /**
   * The bot's latest message in this conversation that reads as `shown` (WeChat may shorten a
   * quoted text, and shows the reply's @-mention before it).
   */
  async byText(conversationId: string, shown: string): Promise<SentMessage | undefined> {
    const quoted = shown.replace(LEADING_MENTIONS, '').trim()
    if (quoted.length < 2) return undefined
    const head = quoted.slice(0, 40)
    const rows = await this.db.outboxMessage.findMany({
      where: { conversationId, status: 'sent', text: { startsWith: head.replace(/…+$/, '') } },
      orderBy: { id: 'desc' },
      take: 20,
      select: { text: true, sentAt: true, createdAt: true },
    })
    const whole = quoted.replace(/…+$/, '')
    const row = rows.find((r) => r.text === quoted || r.text.startsWith(whole))
    return row ? { text: row.text, sentAt: row.sentAt ?? row.createdAt } : undefined
  }
}
