// The assistant as a Wechaty plugin: the only code that turns WeChat messages into plain ones.
import type { Message, Wechaty, WechatyPlugin } from 'wechaty'
import { types } from 'wechaty-puppet'
import type { Conversation, Township } from '../config/township.ts'
import type { Logger } from '../log.ts'
import type { Arrival, Dispatch, IncomingMessage } from '../registry/index.ts'

export interface AssistantDeps {
  dispatch: Dispatch
  township: Township
  logger: Logger
  /** Messages stored before this and never handled (the process died) are handled first. */
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

  /** What a message says of itself, without asking WeChat anything (stored at once). */
  function arrivalOf(message: Message): Arrival | undefined {
    if (message.self()) return undefined
    const type = message.type()
    const room = message.room()
    const talkerId = message.talker().id
    const kind = type === types.Message.Text ? 'text' : type === types.Message.Image ? 'photo' : 'other'
    return {
      id: message.id,
      conversationId: room ? room.id : talkerId,
      inRoom: room !== undefined,
      talkerId,
      kind,
      text: kind === 'photo' ? '' : message.text(),
      sentAt: message.date(),
    }
  }

  /** The rest of a message: its group, the sender's name, a picture's bytes. */
  async function toIncoming(message: Message): Promise<IncomingMessage | undefined> {
    const type = message.type()
    if (type !== types.Message.Text && type !== types.Message.Image) return undefined
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
    // The picture is fetched at once, while earlier messages of the conversation are handled.
    const photo = type === types.Message.Image ? fetchPhoto(message) : undefined
    const mentionedSelf = room && type === types.Message.Text ? await message.mentionSelf() : false
    return {
      id: message.id,
      conversationId: room ? room.id : talker.id,
      where,
      talkerId: talker.id,
      talkerName: (room ? await room.alias(talker) : undefined) ?? talker.name(),
      text: type === types.Message.Image ? '' : mentionedSelf ? await message.mentionText() : message.text(),
      photo: await photo,
      mentionedSelf,
      sentAt: message.date(),
    }
  }

  /** After a crash: a stored message is looked up again by its id (its picture fetched again). */
  async function reload(bot: Wechaty, arrival: Arrival): Promise<IncomingMessage | undefined> {
    await loggedIn(bot)
    const message = await bot.Message.find({ id: arrival.id }).catch(() => undefined)
    if (message) return toIncoming(message)
    // WeChat no longer has it: what was stored is enough for text; a picture is asked for again.
    logger.warn({ messageId: arrival.id }, 'a stored message is no longer known to WeChat')
    const talker = await bot.Contact.find({ id: arrival.talkerId }).catch(() => undefined)
    let where: Conversation
    let talkerName = talker?.name() ?? ''
    if (arrival.inRoom) {
      const room = await bot.Room.find({ id: arrival.conversationId }).catch(() => undefined)
      const group = room ? township.groupFor(room.id, await room.topic()) : undefined
      if (!room || !group) return undefined
      where = township.conversationOf(group)
      if (talker) talkerName = (await room.alias(talker)) ?? talkerName
    } else {
      if (!township.isRegistered(arrival.talkerId)) return undefined
      where = { kind: 'private' }
    }
    if (arrival.kind === 'other') return undefined
    return {
      id: arrival.id,
      conversationId: arrival.conversationId,
      where,
      talkerId: arrival.talkerId,
      talkerName,
      text: arrival.text,
      photo: arrival.kind === 'photo' ? 'unavailable' : undefined,
      mentionedSelf: false,
      sentAt: arrival.sentAt,
    }
  }

  function loggedIn(bot: Wechaty): Promise<void> {
    return bot.isLoggedIn ? Promise.resolve() : new Promise((resolve) => bot.once('login', () => resolve()))
  }

  return (bot: Wechaty) => {
    const listener = (message: Message) => {
      const arrival = arrivalOf(message)
      if (!arrival) return
      // Nothing a message carries may take the bot down.
      dispatch.arrive(arrival, () => toIncoming(message)).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'message pipeline failed'))
    }
    bot.on('message', listener)
    dispatch
      .recover(startedAt, (arrival) => reload(bot, arrival))
      .catch((err: unknown) => logger.error({ err }, 'handling messages left from before the restart failed'))
    return () => {
      bot.off('message', listener)
    }
  }
}
