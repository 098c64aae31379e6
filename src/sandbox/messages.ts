// What went through the sandbox's WeChat, as the page shows it: every message of every mock room
// (the rooms' own 'message' events) and of every private chat with the bot, in order, with the
// sandbox time it was sent at and, for files, where the page can fetch them.
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
  /** Sandbox time, ISO. */
  at: string
  kind: 'text' | 'image' | 'file'
  text: string
  /** Whom the message @-mentions (the text carries the "@名字" as sent). */
  mentions: { id: string; name: string }[]
  file?: { name: string; mediaType: string; size: number; url: string }
}

/** Per conversation; the oldest go first beyond this. */
const KEEP_PER_CONVERSATION = 2000

export class MessageLog {
  private readonly byConversation = new Map<string, SandboxMessage[]>()
  private readonly fileMessages = new Map<string, string>()
  private detach: (() => void) | undefined

  constructor(private readonly onMessage: (message: SandboxMessage) => void) {}

  /** Starts recording a sandbox's rooms and the bot's private chats (replacing the previous sandbox). */
  attach(sandbox: Sandbox): void {
    this.detach?.()
    this.byConversation.clear()
    this.fileMessages.clear()
    const offs: (() => void)[] = []
    const listen = (emitter: EventEmitter, listener: (m: mock.MessageMock) => void) => {
      emitter.on('message', listener)
      offs.push(() => emitter.off('message', listener))
    }
    for (const group of sandbox.groups) {
      const room = sandbox.room(group.id)
      if (room) listen(room as unknown as EventEmitter, (m) => this.record(sandbox, group.id, m))
    }
    // The bot's contact hears every message it says or is told; private ones have no room.
    listen(sandbox.bot as unknown as EventEmitter, (m) => {
      const p = m.payload
      if ('roomId' in p && p.roomId) return
      const other = p.talkerId === SANDBOX_BOT_ID ? ('listenerId' in p ? p.listenerId : undefined) : p.talkerId
      if (other) this.record(sandbox, privateConversation(other), m)
    })
    this.detach = () => offs.forEach((off) => off())
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

  private record(sandbox: Sandbox, conversation: string, m: mock.MessageMock): void {
    const p = m.payload
    const json = sandbox.mocker.cacheFileBoxPayload.get(p.id)
    const nameOf = (id: string) =>
      id === SANDBOX_BOT_ID ? sandbox.bot.payload.name : (sandbox.people.find((x) => x.wechatId === id)?.name ?? sandbox.contact(id)?.payload.name ?? id)
    const message: SandboxMessage = {
      id: p.id,
      conversation,
      talkerId: p.talkerId ?? '',
      talkerName: nameOf(p.talkerId ?? ''),
      fromBot: p.talkerId === SANDBOX_BOT_ID,
      at: new Date(p.timestamp).toISOString(),
      kind: json ? (p.type === types.Message.Image ? 'image' : 'file') : 'text',
      text: p.text ?? '',
      mentions: ('mentionIdList' in p ? (p.mentionIdList ?? []) : []).map((id) => ({ id, name: nameOf(id) })),
    }
    if (json) {
      const box = FileBox.fromJSON(json)
      const size = box.size > 0 ? box.size : Math.floor(((json as { base64?: string }).base64?.length ?? 0) * 0.75)
      message.file = { name: box.name, mediaType: box.mediaType, size, url: `/files/${encodeURIComponent(p.id)}` }
      this.fileMessages.set(p.id, conversation)
    }
    let list = this.byConversation.get(conversation)
    if (!list) this.byConversation.set(conversation, (list = []))
    list.push(message)
    if (list.length > KEEP_PER_CONVERSATION) {
      for (const old of list.splice(0, list.length - KEEP_PER_CONVERSATION)) this.fileMessages.delete(old.id)
    }
    this.onMessage(message)
  }
}
