// The local sandbox: the example township's people and groups in an in-process PuppetMock,
// so the real bot can be watched at work without a WeChat account.
import type { EventEmitter } from 'node:events'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import type { TownshipConfig } from '../config/schema.ts'

export const SANDBOX_BOT_ID = 'wxid_renju_assistant'

export interface Sandbox {
  puppet: PuppetMock
  mocker: mock.Mocker
  /** Logs the bot's own account in; call after the bot has started. */
  login(): void
  /** Says `text` as `wechatId` in the group with this topic; resolves with the bot's replies seen within `waitMs`. */
  say(wechatId: string, topic: string, text: string, waitMs?: number): Promise<string[]>
}

export function createSandbox(config: TownshipConfig): Sandbox {
  const mocker = new mock.Mocker()
  const puppet = new PuppetMock({ mocker })
  const bot = mocker.createContact({ id: SANDBOX_BOT_ID, name: '整治助手' })
  const contacts = new Map(config.people.map((p) => [p.wechatId, mocker.createContact({ id: p.wechatId, name: p.name })]))
  const rooms = new Map(
    config.groups.map((g, i) => {
      const members = config.people.filter((p) =>
        g.scope === 'township' ? p.role !== 'resident' : p.role !== 'village' || p.villages.includes(g.village!),
      )
      const room = mocker.createRoom({
        id: g.id ?? `sandbox-group-${i}@chatroom`,
        topic: g.topic ?? g.id,
        memberIdList: [SANDBOX_BOT_ID, ...members.map((p) => p.wechatId)],
      })
      return [g.topic ?? g.id!, room] as const
    }),
  )

  return {
    puppet,
    mocker,
    login: () => mocker.login(bot),
    async say(wechatId, topic, text, waitMs = 3000) {
      const contact = contacts.get(wechatId)
      const room = rooms.get(topic)
      if (!contact || !room) throw new Error(`沙盒里没有 ${wechatId} 或群「${topic}」`)
      const replies: string[] = []
      const listener = (message: mock.MessageMock) => {
        if (message.payload.talkerId === SANDBOX_BOT_ID) replies.push(message.payload.text ?? '')
      }
      const emitter = room as unknown as EventEmitter
      emitter.on('message', listener)
      contact.say(text).to(room)
      const deadline = Date.now() + waitMs
      while (replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      emitter.off('message', listener)
      return replies
    },
  }
}
