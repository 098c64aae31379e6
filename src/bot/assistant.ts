// The assistant as a Wechaty plugin: the only code that turns WeChat messages into plain ones.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { types } from 'wechaty-puppet'
import type { Conversation, Township } from '../config/township.ts'
import type { Logger } from '../log.ts'
import { PRIORITY, type Outbox } from '../outbox/index.ts'
import type { Dispatch, IncomingMessage } from '../registry/index.ts'

export interface AssistantDeps {
  dispatch: Dispatch
  township: Township
  /** Replies go out through the outbox, ahead of notices and posts. */
  outbox: Outbox
  logger: Logger
  /** Pictures larger than this, or slower to fetch, are asked for again. */
  photoLimits: { maxBytes: number; downloadMs: number }
}

/** Installs the assistant on a bot; returns its uninstaller, as Wechaty plugins do. */
export function assistantPlugin({ dispatch, township, outbox, logger, photoLimits }: AssistantDeps): WechatyPlugin {
  /**
   * A picture's bytes, within the size and time limits. Some puppet services cannot pass
   * large files (gRPC's 4 MB message cap): those become 'unavailable', and the sender is asked to resend.
   */
  async function fetchPhoto(message: Message): Promise<Buffer | 'unavailable'> {
    let timer: NodeJS.Timeout | undefined
    try {
      const download = (async () => {
        const box = await message.toFileBox()
        if (box.size > photoLimits.maxBytes) return 'unavailable' as const
        const data = await box.toBuffer()
        return data.length > photoLimits.maxBytes ? ('unavailable' as const) : data
      })()
      const timeout = new Promise<'unavailable'>((resolve) => (timer = setTimeout(() => resolve('unavailable'), photoLimits.downloadMs)))
      return await Promise.race([download, timeout])
    } catch (err) {
      logger.warn({ err, messageId: message.id }, 'photo download failed')
      return 'unavailable'
    } finally {
      clearTimeout(timer)
    }
  }

  async function toIncoming(message: Message): Promise<IncomingMessage | undefined> {
    const type = message.type()
    if (message.self() || (type !== types.Message.Text && type !== types.Message.Image)) return undefined
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
    const mentionedSelf = room && type === types.Message.Text ? await message.mentionSelf() : false
    return {
      id: message.id,
      conversationId: room ? room.id : talker.id,
      where,
      talkerId: talker.id,
      talkerName: (room ? await room.alias(talker) : undefined) ?? talker.name(),
      text: type === types.Message.Image ? '' : mentionedSelf ? await message.mentionText() : message.text(),
      photo: type === types.Message.Image ? await fetchPhoto(message) : undefined,
      mentionedSelf,
      sentAt: message.date(),
    }
  }

  async function onMessage(message: Message): Promise<void> {
    const incoming = await toIncoming(message)
    if (!incoming) return
    const reply = await dispatch(incoming)
    if (!reply) return
    await outbox.enqueue({
      conversationId: incoming.conversationId,
      text: reply.text,
      mentionIds: reply.mention ? [incoming.talkerId] : [],
      file: reply.file,
      priority: PRIORITY.reply,
    })
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
