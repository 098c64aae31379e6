// Every message the bot says goes out here.
import type { Contact, Room } from 'wechaty'
import type { Logger } from '../log.ts'

export class Sender {
  constructor(private readonly logger: Logger) {}

  /** Says `text` in a room (@-mentioning `mention` when given) or to a contact. */
  async say(to: Room | Contact, text: string, mention?: Contact): Promise<boolean> {
    try {
      if (mention && 'topic' in to) await to.say(text, mention)
      else await to.say(text)
      return true
    } catch (err) {
      this.logger.error({ err, to: to.id }, 'send failed')
      return false
    }
  }
}
