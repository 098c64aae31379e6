// The local sandbox: the township's people and groups in an in-process PuppetMock, so the real
// bot can be watched at work without a WeChat account. The bot is handed `puppet` like any other
// puppet; the page and the console demo speak through `mocker` as the people of the config.
// As in WeChat, more people can turn up (`addPerson`) and the bot can be pulled into a new group
// (`createGroup`, announced with the 'room-join' event a provider sends).
import type { EventEmitter } from 'node:events'
import { FileBox } from 'file-box'
import { mock } from 'wechaty-puppet-mock'
import type { GroupScope, Role, TownshipConfig } from '../config/schema.ts'
import { systemClock, type Clock } from '../time.ts'
import { SandboxPuppet } from './puppet.ts'

export const SANDBOX_BOT_ID = 'wxid_renju_assistant'
export const SANDBOX_BOT_NAME = '整治助手'
/** Someone nobody registered: a resident in every village group. */
export const NEWCOMER = { wechatId: 'wxid_sandbox_newcomer', name: '新村民' } as const

export interface SandboxGroup {
  /** The mock room's id. */
  id: string
  topic: string
  /** What the config says the group is; groups made in the sandbox say nothing (they are bound by /绑定). */
  scope?: GroupScope
  village?: string
  /** The bot first: the mock room's own member list. */
  memberIds: string[]
}

export interface SandboxPerson {
  wechatId: string
  name: string
  role: Role
  villages: string[]
  /** Not in the config: the bot treats them as a resident of the group's village. */
  unregistered?: boolean
}

export interface SandboxOptions {
  /** WeChat accounts nobody has registered (a blank township's people): in no group until one is made. */
  strangers?: readonly { wechatId: string; name: string }[]
}

export interface Sandbox {
  puppet: SandboxPuppet
  mocker: mock.Mocker
  /** The bot's own WeChat account. */
  bot: mock.ContactMock
  groups: SandboxGroup[]
  /** The config's people, the strangers, the newcomer, then whoever was added. */
  people: SandboxPerson[]
  /** Logs the bot's own account in; call after the bot has started. */
  login(): void
  room(groupId: string): mock.RoomMock | undefined
  contact(wechatId: string): mock.ContactMock | undefined
  /** Makes `wechatId` send `text` (or a file) in a group, or privately to the bot when `groupId` is undefined; `mentionIds` as WeChat's @. */
  send(wechatId: string, groupId: string | undefined, what: string | { data: Buffer; name: string }, mentionIds?: readonly string[]): void
  /** Someone new in WeChat, known to nobody. */
  addPerson(name: string): SandboxPerson
  /** `inviterId` makes a group of `memberIds` and pulls the bot in: the provider's 'room-join' with the bot as invitee. */
  createGroup(topic: string, memberIds: readonly string[], inviterId: string): SandboxGroup
  /** Says `text` as `wechatId` in the group with this topic; resolves with the bot's replies seen within `waitMs`. */
  say(wechatId: string, topic: string, text: string, waitMs?: number): Promise<string[]>
}

export function createSandbox(config: TownshipConfig, clock: Clock = systemClock, options: SandboxOptions = {}): Sandbox {
  const mocker = new mock.Mocker()
  const puppet = new SandboxPuppet(mocker, clock)
  const bot = mocker.createContact({ id: SANDBOX_BOT_ID, name: SANDBOX_BOT_NAME })
  const people: SandboxPerson[] = [
    ...config.people.map((p) => ({ wechatId: p.wechatId, name: p.name, role: p.role, villages: p.villages })),
    ...(options.strangers ?? []).map((p) => ({ wechatId: p.wechatId, name: p.name, role: 'resident' as const, villages: [], unregistered: true })),
    { wechatId: NEWCOMER.wechatId, name: NEWCOMER.name, role: 'resident' as const, villages: [], unregistered: true },
  ]
  const contacts = new Map(people.map((p) => [p.wechatId, mocker.createContact({ id: p.wechatId, name: p.name })]))
  const groups: SandboxGroup[] = config.groups.map((g, i) => {
    const members = people.filter((p) =>
      g.scope === 'township'
        ? p.role !== 'resident'
        : p.role === 'resident'
          ? p.unregistered || p.villages.length === 0 || p.villages.includes(g.village!)
          : p.role !== 'village' || p.villages.includes(g.village!),
    )
    const memberIds = [SANDBOX_BOT_ID, ...members.map((p) => p.wechatId)]
    const room = mocker.createRoom({ id: g.id ?? `sandbox-group-${i}@chatroom`, topic: g.topic ?? g.id, memberIdList: memberIds })
    return { id: room.id, topic: g.topic ?? g.id!, scope: g.scope, ...(g.village ? { village: g.village } : {}), memberIds }
  })
  const room = (groupId: string) => (groups.some((g) => g.id === groupId) ? mocker.RoomMock.load(groupId) : undefined)

  const send: Sandbox['send'] = (wechatId, groupId, what, mentionIds = []) => {
    const contact = contacts.get(wechatId)
    const to = groupId === undefined ? bot : room(groupId)
    if (!contact || !to) throw new Error(`沙盒里没有 ${wechatId} 或群 ${groupId}`)
    const mentions = mentionIds.map((id) => (id === SANDBOX_BOT_ID ? bot : contacts.get(id))).filter((c) => c !== undefined)
    // A mock contact can only say FileBoxes that serialise: base64, not a buffer.
    contact.say(typeof what === 'string' ? what : FileBox.fromBase64(what.data.toString('base64'), what.name), mentions).to(to)
  }

  let added = 0
  const addPerson: Sandbox['addPerson'] = (name) => {
    let wechatId: string
    do wechatId = `wxid_sandbox_${++added}`
    while (contacts.has(wechatId))
    const person: SandboxPerson = { wechatId, name, role: 'resident', villages: [], unregistered: true }
    contacts.set(wechatId, mocker.createContact({ id: wechatId, name }))
    people.push(person)
    return person
  }

  let made = 0
  const createGroup: Sandbox['createGroup'] = (topic, memberIds, inviterId) => {
    const members = [...new Set([inviterId, ...memberIds])]
    for (const id of members) if (!contacts.has(id)) throw new Error(`沙盒里没有 ${id}`)
    let id: string
    do id = `sandbox-new-${++made}@chatroom`
    while (groups.some((g) => g.id === id))
    // The room as the provider has it once the bot is in; then the event that says the bot was invited.
    const memberIdList = [SANDBOX_BOT_ID, ...members]
    mocker.createRoom({ id, topic, memberIdList })
    const group: SandboxGroup = { id, topic, memberIds: memberIdList }
    groups.push(group)
    puppet.emit('room-join', { roomId: id, inviteeIdList: [SANDBOX_BOT_ID], inviterId, timestamp: clock().getTime() })
    return group
  }

  return {
    puppet,
    mocker,
    bot,
    groups,
    people,
    login: () => mocker.login(bot),
    room,
    contact: (wechatId) => contacts.get(wechatId),
    send,
    addPerson,
    createGroup,
    async say(wechatId, topic, text, waitMs = 3000) {
      const group = groups.find((g) => g.topic === topic)
      if (!group) throw new Error(`沙盒里没有群「${topic}」`)
      const replies: string[] = []
      const listener = (message: mock.MessageMock) => {
        if (message.payload.talkerId === SANDBOX_BOT_ID) replies.push(message.payload.text ?? '')
      }
      const emitter = room(group.id) as unknown as EventEmitter
      emitter.on('message', listener)
      send(wechatId, group.id, text)
      const deadline = Date.now() + waitMs
      while (replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      emitter.off('message', listener)
      return replies
    },
  }
}
