// Every message the bot says goes out here: replies, and notices it sends unprompted.
import { FileBox } from 'file-box'
import type { Contact, Room, Wechaty } from 'wechaty'
import type { Logger } from '../log.ts'
import type { Notifier, OutgoingFile } from '../registry/index.ts'

export class Sender implements Notifier {
  private bot: Wechaty | undefined

  constructor(private readonly logger: Logger) {}

  /** The bot to send through; notices before this are logged and dropped. */
  attach(bot: Wechaty): void {
    this.bot = bot
  }

  /** Says `text` in a room (@-mentioning `mention`) or to a contact, then the file if any. */
  async say(to: Room | Contact, text: string, mention: Contact[] = [], file?: OutgoingFile): Promise<boolean> {
    try {
      if (text) {
        if (mention.length > 0 && 'topic' in to) await to.say(text, ...mention)
        else await to.say(text)
      }
      if (file) await to.say(FileBox.fromBuffer(file.data, file.name))
      return true
    } catch (err) {
      this.logger.error({ err, to: to.id }, 'send failed')
      return false
    }
  }

  /** A notice into a conversation by id: a group (WeChat room ids contain '@') or a contact. */
  async send(conversationId: string, text: string, mentionIds: string[] = [], file?: OutgoingFile): Promise<void> {
    const bot = this.bot
    if (!bot) {
      this.logger.warn({ conversationId }, 'notice before the bot started: dropped')
      return
    }
    if (conversationId.includes('@')) {
      const room = await bot.Room.find({ id: conversationId })
      if (!room) return void this.logger.error({ conversationId }, 'notice: room not found')
      const mention = (await Promise.all(mentionIds.map((id) => bot.Contact.find({ id })))).filter((c): c is Contact => c !== undefined)
      await this.say(room, text, mention, file)
    } else {
      const contact = await bot.Contact.find({ id: conversationId })
      if (!contact) return void this.logger.error({ conversationId }, 'notice: contact not found')
      await this.say(contact, text, [], file)
    }
  }
}
