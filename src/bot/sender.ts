// Every message the bot says goes out here: replies, and notices it sends unprompted.
import { FileBox } from 'file-box'
import type { Contact, Room, Wechaty } from 'wechaty'
import type { Transport } from '../outbox/index.ts'
import type { OutgoingFile } from '../outgoing.ts'

/** What WeChat puts after each @name of a mention (U+2005, a four-per-em space). */
const MENTION_SEPARATOR = '\u2005'

/** The outbox's transport: says a stored message in WeChat; throws when WeChat did not take it. */
export class Sender implements Transport {
  private bot: Wechaty | undefined

  /** The bot to send through. */
  attach(bot: Wechaty): void {
    this.bot = bot
  }

  /**
   * Says `text` in a room (@-mentioning `mention`) or to a contact, then the file if any; returns
   * the text's WeChat id. The text goes to the puppet as Wechaty's `say` gives it (the mentions
   * as "@name" joined by U+2005, then a space), without `say`'s reload of the sent message: one
   * call to the WeChat service fewer for every reply, and only its id is kept.
   */
  private async say(bot: Wechaty, to: Room | Contact, text: string, mention: Contact[], file?: OutgoingFile): Promise<string | undefined> {
    let sent: string | void = undefined
    if (text) {
      if (mention.length > 0 && 'topic' in to) {
        const names = await Promise.all(mention.map(async (contact) => '@' + ((await to.alias(contact)) || contact.name())))
        sent = await bot.puppet.messageSendText(to.id, `${names.join(MENTION_SEPARATOR)} ${text}`, mention.map((contact) => contact.id))
      } else {
        sent = await bot.puppet.messageSendText(to.id, text)
      }
    }
    if (file) await to.say(FileBox.fromBuffer(file.data, file.name))
    return sent || undefined
  }

  /**
   * Delivers to a conversation by id: a group (WeChat room ids contain '@') or a contact.
   * Resolves with WeChat's id of the text as sent, where the provider gives one.
   */
  async deliver(message: { conversationId: string; text: string; mentionIds: string[]; file?: OutgoingFile }): Promise<string | undefined> {
    const bot = this.bot
    if (!bot) throw new Error('bot not started')
    const { conversationId } = message
    if (conversationId.includes('@')) {
      const room = await bot.Room.find({ id: conversationId })
      if (!room) throw new Error(`room not found: ${conversationId}`)
      const mention = (await Promise.all(message.mentionIds.map((id) => bot.Contact.find({ id })))).filter((c): c is Contact => c !== undefined)
      return this.say(bot, room, message.text, mention, message.file)
    } else {
      const contact = await bot.Contact.find({ id: conversationId })
      if (!contact) throw new Error(`contact not found: ${conversationId}`)
      return this.say(bot, contact, message.text, [], message.file)
    }
  }
}
