// Every message the bot says goes out here: replies, and notices it sends unprompted.
import { FileBox } from 'file-box'
import type { Contact, Room, Wechaty } from 'wechaty'
import type { Transport } from '../outbox/index.ts'
import type { OutgoingFile } from '../outgoing.ts'

/** The outbox's transport: says a stored message in WeChat; throws when WeChat did not take it. */
export class Sender implements Transport {
  private bot: Wechaty | undefined

  /** The bot to send through. */
  attach(bot: Wechaty): void {
    this.bot = bot
  }

  /** Says `text` in a room (@-mentioning `mention`) or to a contact, then the file if any. */
  private async say(to: Room | Contact, text: string, mention: Contact[], file?: OutgoingFile): Promise<void> {
    if (text) {
      if (mention.length > 0 && 'topic' in to) await to.say(text, ...mention)
      else await to.say(text)
    }
    if (file) await to.say(FileBox.fromBuffer(file.data, file.name))
  }

  /** Delivers to a conversation by id: a group (WeChat room ids contain '@') or a contact. */
  async deliver(message: { conversationId: string; text: string; mentionIds: string[]; file?: OutgoingFile }): Promise<void> {
    const bot = this.bot
    if (!bot) throw new Error('bot not started')
    const { conversationId } = message
    if (conversationId.includes('@')) {
      const room = await bot.Room.find({ id: conversationId })
      if (!room) throw new Error(`room not found: ${conversationId}`)
      const mention = (await Promise.all(message.mentionIds.map((id) => bot.Contact.find({ id })))).filter((c): c is Contact => c !== undefined)
      await this.say(room, message.text, mention, message.file)
    } else {
      const contact = await bot.Contact.find({ id: conversationId })
      if (!contact) throw new Error(`contact not found: ${conversationId}`)
      await this.say(contact, message.text, [], message.file)
    }
  }
}
