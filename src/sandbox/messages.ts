// What went through the sandbox's WeChat, as the page shows it: every message of every mock room
// (the rooms' own 'message' events) and of every private chat with the bot, in order, with the
// sandbox time it was sent at and, for files, where the page can fetch them.
//
// Scheduled posts are shown at the time they were due: a clock jump puts each one in as
// "queued" at its due time, and the bot's message, when pacing lets it go, takes that place
// (the first queued one of its conversation with the same text or file name: the outbox sends
// the posts of a conversation in order).
import type { EventEmitter } from 'node:events'
import { FileBox } from 'file-box'
import { types } from 'wechaty-puppet'
import type { mock } from 'wechaty-puppet-mock'
import { SANDBOX_BOT_ID, type Sandbox } from './sandbox.ts'

/** A private chat between a person and the bot is the conversation `private:<wechatId>`. */
export const privateConversation = (wechatId: string) => `private:${wechatId}`

export interface SandboxMessage {
  id: string
  /** The room id, or `private:<wechatId>`. */
  conversation: string
  talkerId: string
  talkerName: string
  fromBot: boolean
  /** Sandbox time, ISO: when it was sent, or for a scheduled post when it was due. */
  at: string
  /** When it actually went out (pacing may hold a post back); absent while queued. */
  sentAt?: string
  /** A scheduled post waiting for its turn; the sent message replaces it. */
  queued?: boolean
  /** The id of the queued entry this message replaces. */
  replaces?: string
  kind: 'text' | 'image' | 'file'
  text: string
  /** Whom the message @-mentions (the text carries the "@名字" as sent). */
  mentions: { id: string; name: string }[]
  file?: { name: string; mediaType: string; size: number; url: string }
}

/** Per conversation; the oldest go first beyond this. */
const KEEP_PER_CONVERSATION = 2000

/** A scheduled post as stored in the outbox, waiting to be sent. */
export interface QueuedPost {
  id: number
  conversationId: string
  text: string
  mentionIds: string[]
  fileName: string | null
  dueAt: Date
}

/** What a queued entry waits for: one puppet message (a post with a file is its text, then the file). */
type Awaited = { conversation: string } & ({ text: string } | { fileName: string })

export class MessageLog {
  private readonly byConversation = new Map<string, SandboxMessage[]>()
  private readonly fileMessages = new Map<string, string>()
  /** Queued entries by id, oldest first. */
  private readonly queued = new Map<string, Awaited>()
  private sandbox: Sandbox | undefined
  private offs: (() => void)[] = []

  constructor(private readonly onMessage: (message: SandboxMessage) => void) {}

  /** Starts recording a sandbox's rooms and the bot's private chats (replacing the previous sandbox). */
  attach(sandbox: Sandbox): void {
    for (const off of this.offs.splice(0)) off()
    this.byConversation.clear()
    this.fileMessages.clear()
    this.queued.clear()
    this.sandbox = sandbox
    for (const group of sandbox.groups) this.watch(group.id)
    // The bot's contact hears every message it says or is told; private ones have no room.
    this.listen(sandbox.bot as unknown as EventEmitter, (m) => {
      const p = m.payload
      if ('roomId' in p && p.roomId) return
      const other = p.talkerId === SANDBOX_BOT_ID ? ('listenerId' in p ? p.listenerId : undefined) : p.talkerId
      if (other) this.record(sandbox, privateConversation(other), m)
    })
  }

  /** Starts recording a group of the attached sandbox (one made after `attach`). */
  watch(groupId: string): void {
    const sandbox = this.sandbox
    const room = sandbox?.room(groupId)
    if (sandbox && room) this.listen(room as unknown as EventEmitter, (m) => this.record(sandbox, groupId, m))
  }

  private listen(emitter: EventEmitter, listener: (m: mock.MessageMock) => void): void {
    emitter.on('message', listener)
    this.offs.push(() => emitter.off('message', listener))
  }

  history(conversation: string): SandboxMessage[] {
    return this.byConversation.get(conversation) ?? []
  }

  /** Whether `id` is a file or picture message the page may fetch. */
  hasFile(id: string): boolean {
    return this.fileMessages.has(id)
  }

  latest(conversation: string): SandboxMessage | undefined {
    return this.history(conversation).at(-1)
  }

  /** Shows scheduled posts as queued at their due time, until the bot sends them. */
  showQueued(posts: QueuedPost[]): void {
    const sandbox = this.sandbox
    if (!sandbox) return
    for (const post of posts) {
      const conversation = post.conversationId.includes('@') ? post.conversationId : privateConversation(post.conversationId)
      const mentions = post.mentionIds.map((id) => ({ id, name: this.nameOf(sandbox, id) }))
      const base = { conversation, talkerId: SANDBOX_BOT_ID, talkerName: this.nameOf(sandbox, SANDBOX_BOT_ID), fromBot: true, at: post.dueAt.toISOString(), queued: true }
      const entries: [SandboxMessage, Awaited][] = []
      if (post.text) {
        // As WeChat shows it: the @-mentions before the text.
        const text = mentions.length > 0 ? `${mentions.map((x) => '@' + x.name).join('\u2005')} ${post.text}` : post.text
        entries.push([{ ...base, id: `queued-${post.id}-text`, kind: 'text', text, mentions }, { conversation, text: post.text }])
      }
      if (post.fileName) {
        entries.push([{ ...base, id: `queued-${post.id}-file`, kind: 'text', text: `📎 ${post.fileName}`, mentions: [] }, { conversation, fileName: post.fileName }])
      }
      for (const [message, awaited] of entries) {
        if (this.queued.has(message.id)) continue
        this.queued.set(message.id, awaited)
        this.add(message)
      }
    }
  }

  private nameOf(sandbox: Sandbox, id: string): string {
    return id === SANDBOX_BOT_ID ? sandbox.bot.payload.name : (sandbox.people.find((x) => x.wechatId === id)?.name ?? sandbox.contact(id)?.payload.name ?? id)
  }

  /** The queued entry a message from the bot fulfils, if any (and forgets it). */
  private claim(message: SandboxMessage): string | undefined {
    for (const [id, awaited] of this.queued) {
      if (awaited.conversation !== message.conversation) continue
      const fits = 'text' in awaited ? message.kind === 'text' && message.text.endsWith(awaited.text) : message.file?.name === awaited.fileName
      if (!fits) continue
      this.queued.delete(id)
      return id
    }
    return undefined
  }

  private record(sandbox: Sandbox, conversation: string, m: mock.MessageMock): void {
    const p = m.payload
    const json = sandbox.mocker.cacheFileBoxPayload.get(p.id)
    const sentAt = new Date(p.timestamp).toISOString()
    const message: SandboxMessage = {
      id: p.id,
      conversation,
      talkerId: p.talkerId ?? '',
      talkerName: this.nameOf(sandbox, p.talkerId ?? ''),
      fromBot: p.talkerId === SANDBOX_BOT_ID,
      at: sentAt,
      sentAt,
      kind: json ? (p.type === types.Message.Image ? 'image' : 'file') : 'text',
      text: p.text ?? '',
      mentions: ('mentionIdList' in p ? (p.mentionIdList ?? []) : []).map((id) => ({ id, name: this.nameOf(sandbox, id) })),
    }
    if (json) {
      const box = FileBox.fromJSON(json)
      const size = box.size > 0 ? box.size : Math.floor(((json as { base64?: string }).base64?.length ?? 0) * 0.75)
      message.file = { name: box.name, mediaType: box.mediaType, size, url: `/files/${encodeURIComponent(p.id)}` }
      this.fileMessages.set(p.id, conversation)
    }
    const replaces = message.fromBot ? this.claim(message) : undefined
    const list = this.byConversation.get(conversation)
    const index = replaces && list ? list.findIndex((x) => x.id === replaces) : -1
    if (replaces && list && index >= 0) {
      message.at = list[index]!.at
      message.replaces = replaces
      list[index] = message
      this.onMessage(message)
      return
    }
    this.add(message)
  }

  private add(message: SandboxMessage): void {
    const conversation = message.conversation
    let list = this.byConversation.get(conversation)
    if (!list) this.byConversation.set(conversation, (list = []))
    list.push(message)
    if (list.length > KEEP_PER_CONVERSATION) {
      for (const old of list.splice(0, list.length - KEEP_PER_CONVERSATION)) this.fileMessages.delete(old.id)
    }
    this.onMessage(message)
  }
}
