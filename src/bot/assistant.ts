// The assistant as a Wechaty plugin: the only code that turns WeChat messages into plain ones.
import type { Contact, Message, Room, Wechaty, WechatyPlugin } from 'wechaty'
import { types } from 'wechaty-puppet'
import type { Conversation, Township } from '../config/township.ts'
import type { Logger } from '../log.ts'
import type { Arrival, Dispatch, IncomingMessage } from '../registry/index.ts'
import { readQuoteText, readQuoteXml, type Quote } from '../registry/quote.ts'
import type { SeenRoom } from '../workflow/groups.ts'
import type { ArrivalPlace } from './share.ts'
import { describeRoom } from './groups.ts'
import { isLoggedIn } from './puppet.ts'

/** What the bot learns of its groups outside messages, handed to the composition root. */
export interface GroupEvents {
  /** The bot is in these rooms: at login (`joined` false), or just added to one (`joined` true). */
  seen(rooms: SeenRoom[], joined: boolean): Promise<void>
  /** The bot was removed from a room. */
  left(roomId: string): Promise<void>
}

export interface AssistantDeps {
  dispatch: Dispatch
  township: Township
  logger: Logger
  /** Messages stored before this and never handled (the process died) are handled first. */
  startedAt: Date
  /** Pictures larger than this, or slower to fetch, are asked for again. */
  photoLimits: { maxBytes: number; downloadMs: number }
  groupEvents: GroupEvents
  /** Messages that arrived before the plugin was installed (its host was still setting up): handled first, in order. */
  backlog?: Message[]
  /**
   * When the account serves several townships: whether a message (or a group) is this one's;
   * undefined when that turns on the group's topic, not given.
   */
  owns?: (place: ArrivalPlace, topic?: string) => boolean | undefined
}

/** Messages the assistant cannot read, answered with what it can when addressed to it. */
const UNREADABLE = new Map<number, 'voice' | 'video' | 'sticker'>([
  [types.Message.Audio, 'voice'],
  [types.Message.Video, 'video'],
  [types.Message.Emoticon, 'sticker'],
])

/** Files the assistant reads (an Excel roster or ledger); others are not downloaded. */
const IMPORTABLE = /\.xlsx$/i

/** Installs the assistant on a bot; returns its uninstaller, as Wechaty plugins do. */
export function assistantPlugin({ dispatch, township, logger, photoLimits, startedAt, groupEvents, backlog = [], owns = () => true }: AssistantDeps): WechatyPlugin {
  /** An .xlsx's name and bytes, within the same limits as a picture. */
  async function fetchFile(message: Message): Promise<{ name: string; data: Buffer } | 'unavailable'> {
    const data = await fetchBytes(message)
    return data === 'unavailable' ? data : { name: fileNameOf(message), data }
  }

  /** A file message's name, as providers give it in the payload (some put it in the text). */
  function fileNameOf(message: Message): string {
    return message.payload?.filename || message.text() || '文件.xlsx'
  }

  /**
   * A picture's (or file's) bytes, within the size and time limits. Some puppet services cannot
   * pass large files (gRPC's 4 MB message cap): those become 'unavailable', and the sender is asked to resend.
   */
  async function fetchBytes(message: Message): Promise<Buffer | 'unavailable'> {
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
    const kind = type === types.Message.Text ? 'text' : type === types.Message.Image ? 'photo' : type === types.Message.Attachment ? 'file' : type === types.Message.Recalled ? 'recall' : 'other'
    return {
      id: message.id,
      conversationId: room ? room.id : talkerId,
      inRoom: room !== undefined,
      talkerId,
      kind,
      text: kind === 'photo' ? '' : kind === 'file' ? fileNameOf(message) : message.text(),
      sentAt: message.date(),
    }
  }

  /** Where a room's message is said: its binding, or unbound (with what the admins are told). */
  async function placeOf(room: Room): Promise<Conversation> {
    const bound = township.groupFor(room.id)
    if (bound) return township.conversationOf(bound)
    const { topic, memberCount } = await describeRoom(room)
    return { kind: 'unbound', topic, memberCount }
  }

  /** The rest of a message: its group, the sender's name, who it @-mentions, a picture's or file's bytes. */
  async function toIncoming(message: Message): Promise<IncomingMessage | undefined> {
    const type = message.type()
    const room = message.room()
    const talker = message.talker()
    const isFile = type === types.Message.Attachment && IMPORTABLE.test(fileNameOf(message))
    // A quote (引用) arrives as text in one of two shapes, or (some providers) as Unknown with the XML.
    const quote: Quote | undefined = type === types.Message.Text || type === types.Message.Unknown ? (readQuoteXml(message.text()) ?? (type === types.Message.Text ? readQuoteText(message.text()) : undefined)) : undefined
    const unreadable = UNREADABLE.get(type) ?? (type === types.Message.Attachment && !isFile ? 'file' : undefined)
    const known = type === types.Message.Text || type === types.Message.Image || type === types.Message.Recalled || isFile || quote || unreadable
    if (!known) return undefined
    // Started at once, while earlier messages of the conversation are handled.
    const photo = type === types.Message.Image ? fetchBytes(message) : undefined
    const file = isFile ? fetchFile(message) : undefined
    const where: Conversation = room ? await placeOf(room) : { kind: 'private' }
    const isText = type === types.Message.Text
    const mentionedSelf = room && isText ? await message.mentionSelf() : false
    const mentions = room && isText ? (await message.mentionList()).filter((c) => !c.self()).map((c) => ({ id: c.id, name: c.name() })) : []
    const text = quote ? quote.reply : isText ? (mentionedSelf ? await message.mentionText() : message.text()) : ''
    return {
      id: message.id,
      conversationId: room ? room.id : talker.id,
      where,
      talkerId: talker.id,
      talkerName: (room ? await room.alias(talker) : undefined) ?? talker.name(),
      text,
      photo: await photo,
      file: await file,
      mentionedSelf,
      mentions,
      ...(quote ? { quote } : {}),
      // Wechaty delivers a recall as a message whose text is the recalled message's id.
      ...(type === types.Message.Recalled ? { recalledId: message.text() } : {}),
      ...(unreadable && !quote ? { unreadable } : {}),
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
    let where: Conversation = { kind: 'private' }
    let talkerName = talker?.name() ?? ''
    if (arrival.inRoom) {
      const room = await bot.Room.find({ id: arrival.conversationId }).catch(() => undefined)
      if (!room) return undefined
      where = await placeOf(room)
      if (talker) talkerName = (await room.alias(talker)) ?? talkerName
    }
    if (arrival.kind === 'other' || arrival.kind === 'file') return undefined
    if (arrival.kind === 'recall') return { id: arrival.id, conversationId: arrival.conversationId, where, talkerId: arrival.talkerId, talkerName, text: '', recalledId: arrival.text, mentionedSelf: false, sentAt: arrival.sentAt }
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
    return isLoggedIn(bot) ? Promise.resolve() : new Promise((resolve) => bot.once('login', () => resolve()))
  }


  return (bot: Wechaty) => {
    // Messages wait behind one whose township is still being told by its group's topic, so they
    // reach the dispatcher in the order they came.
    let deciding: Promise<void> | undefined
    const listener = (message: Message) => {
      const arrival = arrivalOf(message)
      if (!arrival) return
      // Nothing a message carries may take the bot down.
      const hand = () => void dispatch.arrive(arrival, () => toIncoming(message)).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'message pipeline failed'))
      const ours = owns(arrival)
      if (ours !== undefined && !deciding) return void (ours && hand())
      const decided = (deciding ?? Promise.resolve()).then(async () => {
        const topic = ours === undefined ? await message.room()?.topic().catch(() => undefined) : undefined
        if (ours ?? owns(arrival, topic ?? '')) hand()
      }).catch((err: unknown) => logger.error({ err, messageId: message.id }, 'could not tell which township a message is for'))
      deciding = decided
      void decided.finally(() => {
        if (deciding === decided) deciding = undefined
      })
    }
    bot.on('message', listener)
    for (const message of backlog) listener(message)
    // The groups the bot is in, at login and as it is added or removed.
    const report = (work: Promise<void>) => work.catch((err: unknown) => logger.error({ err }, 'group event failed'))
    const ours = (rooms: SeenRoom[]) => rooms.filter((room) => owns({ conversationId: room.id, inRoom: true, talkerId: '', text: '' }, room.topic))
    const onLogin = () =>
      void report(
        (async () => {
          // Wechaty answers [] when the provider cannot list the groups; a group it cannot
          // describe is left for later. Either way the login's look ends (the timetable waits for it).
          const described = await Promise.all(
            (await bot.Room.findAll()).map((room) =>
              describeRoom(room).catch((err: unknown) => {
                logger.warn({ err, roomId: room.id }, 'could not read a group at login')
                return undefined
              }),
            ),
          )
          await groupEvents.seen(ours(described.filter((room) => room !== undefined)), false)
        })(),
      )
    const onJoin = (room: Room, invitees: Contact[]) => {
      if (invitees.some((c) => c.self())) void report((async () => groupEvents.seen(ours([await describeRoom(room)]), true))())
    }
    const onLeave = (room: Room, leavers: Contact[]) => {
      if (!leavers.some((c) => c.self())) return
      void report(
        (async () => {
          const place = { conversationId: room.id, inRoom: true, talkerId: '', text: '' }
          if (owns(place) ?? owns(place, (await describeRoom(room)).topic)) await groupEvents.left(room.id)
        })(),
      )
    }
    bot.on('login', onLogin)
    bot.on('room-join', onJoin)
    bot.on('room-leave', onLeave)
    // Mounted on a bot already logged in (a plugin on someone's running bot): look now.
    if (isLoggedIn(bot)) onLogin()
    dispatch
      .recover(startedAt, (arrival) => reload(bot, arrival))
      .catch((err: unknown) => logger.error({ err }, 'handling messages left from before the restart failed'))
    return () => {
      bot.off('message', listener)
      bot.off('login', onLogin)
      bot.off('room-join', onJoin)
      bot.off('room-leave', onLeave)
    }
  }
}
