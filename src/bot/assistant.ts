// The assistant as a Wechaty plugin: the only code that turns WeChat messages into plain ones.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { types } from 'wechaty-puppet'
import type { Conversation, Township } from '../config/township.ts'
import type { Logger } from '../log.ts'
import type { Dispatch, IncomingMessage } from '../registry/index.ts'

export interface AssistantDeps {
  dispatch: Dispatch
  township: Township
  logger: Logger
  /** Messages taken in before this and never handled (the process died) are handled at login. */
  startedAt: Date
  /** Pictures larger than this, or slower to fetch, are asked for again. */
  photoLimits: { maxBytes: number; downloadMs: number }
}

/** Installs the assistant on a bot; returns its uninstaller, as Wechaty plugins do. */
export function assistantPlugin({ dispatch, township, logger, photoLimits, startedAt }: AssistantDeps): WechatyPlugin {
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
    await dispatch(incoming) // the reply goes into the outbox before the message counts as handled
  }

  /** After a crash: what was taken in but not handled is handled now, pictures fetched again. */
  async function replayUnhandled(bot: Wechaty): Promise<void> {
    for (const { message, isPhoto } of await dispatch.unhandled(startedAt)) {
      let photo: Buffer | 'unavailable' | undefined
      if (isPhoto) {
        const original = await bot.Message.find({ id: message.id }).catch(() => undefined)
        photo = original ? await fetchPhoto(original) : 'unavailable'
      }
      await dispatch.replay({ ...message, photo })
      logger.info({ messageId: message.id }, 'handled after restart')
    }
  }

  return (bot: Wechaty) => {
    const listener = (message: Message) => {
      // Nothing a message carries may take the bot down.
      onMessage(message).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'message pipeline failed'))
    }
    const onLogin = () => {
      replayUnhandled(bot).catch((err: unknown) => logger.error({ err }, 'replay after restart failed'))
    }
    bot.on('message', listener)
    bot.once('login', onLogin)
    return () => {
      bot.off('message', listener)
      bot.off('login', onLogin)
    }
  }
}
