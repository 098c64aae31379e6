// The WeChat groups the bot is in: remembered when seen, bound by the config's topic where the
// config names one, announced once to the admins while unbound, and reported when the bot is
// removed from a bound one. Each runs inside a unit of work given by the composition root.
import type { Conversation } from '../config/township.ts'
import type { Services } from '../services.ts'

export interface SeenRoom {
  id: string
  topic: string
  memberCount: number
}

/**
 * The bot is in a room. Returns where a message there is said: the room's binding, one made
 * now from the config's topic (old deployments name groups by topic), or undefined if unbound.
 */
export async function roomSeen(services: Services, room: SeenRoom): Promise<Conversation | undefined> {
  const { roster, township } = services
  await roster.sawRoom(room.id, room.topic, room.memberCount)
  const bound = township.groupFor(room.id)
  if (bound) return township.conversationOf(bound)
  const named = township.configGroupWithTopic(room.topic)
  const taken = named && township.groupOf(named.scope, named.village)
  if (!named || taken) return undefined
  await roster.bind({ roomId: room.id, topic: room.topic, scope: named.scope, village: named.village }, { id: 'config', name: '配置文件' })
  return township.conversationOf(named)
}

/** A room not bound yet: the admins hear of it once, privately, with how to enable it. */
export async function announceUnbound(services: Services, room: SeenRoom): Promise<void> {
  const admins = services.township.admins()
  if (admins.length === 0) return // told once there is an admin: the next message there
  if (!(await services.roster.announceOnce(room.id))) return
  const text = `助手被拉进了「${room.topic}」（${room.memberCount} 人），在群里发 /绑定 村名（乡级工作群发 /绑定 全乡）即可启用。`
  for (const admin of admins) await services.notify.send(admin.wechatId, text)
}

/**
 * A message in an unbound group: bound now from the config's topic, or announced and ignored.
 * An admin speaking there is about to bind it (or knows of it): not announced to them.
 */
export async function unboundGroupMessage(services: Services, room: SeenRoom, talkerId: string): Promise<Conversation | undefined> {
  const where = await roomSeen(services, room)
  if (!where && services.township.person(talkerId)?.role !== 'admin') await announceUnbound(services, room)
  return where
}

/** The bot was removed from a room: if it served the township, the admins are told. */
export async function roomLeft(services: Services, roomId: string): Promise<void> {
  const room = await services.roster.leftRoom(roomId)
  if (!room?.scope) return
  const serves = room.scope === 'township' ? '乡级工作群' : `${room.village}的村级群`
  const text = `⚠️ 助手被移出了「${room.topic}」（${serves}），那里的通报和提醒发不出去了。请把助手拉回群里，或在新群里发 /绑定 ${room.scope === 'township' ? '全乡' : room.village}。`
  for (const admin of services.township.admins()) await services.notify.send(admin.wechatId, text)
}
