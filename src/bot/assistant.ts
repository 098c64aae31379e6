// The assistant as a Wechaty plugin: the only code that turns WeChat messages into plain ones.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { types } from 'wechaty-puppet'
import type { Conversation, Township } from '../config/township.ts'
import type { Logger } from '../log.ts'
import type { Dispatch, IncomingMessage } from '../registry/index.ts'
import { Sender } from './sender.ts'

export interface AssistantDeps {
  dispatch: Dispatch
  township: Township
  logger: Logger
}

/** Installs the assistant on a bot; returns its uninstaller, as Wechaty plugins do. */
export function assistantPlugin({ dispatch, township, logger }: AssistantDeps): WechatyPlugin {
  const sender = new Sender(logger)

  async function toIncoming(message: Message): Promise<IncomingMessage | undefined> {
    if (message.self() || message.type() !== types.Message.Text) return undefined
    const room = message.room()
    const talker = message.talker()
    let where: Conversation
    if (room) {
      const group = township.groupFor(room.id, await room.topic())
      if (!group) return undefined // not one of the township's groups
      where = township.conversationOf(group)
    } else {
      if (!township.isRegistered(talker.id)) return undefined // strangers cannot use the bot privately
      where = { kind: 'private' }
    }
    const mentionedSelf = room ? await message.mentionSelf() : false
    return {
      id: message.id,
      conversationId: room ? room.id : talker.id,
      where,
      talkerId: talker.id,
      talkerName: (room ? await room.alias(talker) : undefined) ?? talker.name(),
      text: mentionedSelf ? await message.mentionText() : message.text(),
      mentionedSelf,
      sentAt: message.date(),
    }
  }

  async function onMessage(message: Message): Promise<void> {
    const incoming = await toIncoming(message)
    if (!incoming) return
    const reply = await dispatch(incoming)
    if (!reply) return
    const room = message.room()
    if (room) await sender.say(room, reply.text, reply.mention ? message.talker() : undefined)
    else await sender.say(message.talker(), reply.text)
  }

  return (bot: Wechaty) => {
    const listener = (message: Message) => {
      // Nothing a message carries may take the bot down.
      onMessage(message).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'message pipeline failed'))
    }
    bot.on('message', listener)
    return () => {
      bot.off('message', listener)
    }
  }
}
