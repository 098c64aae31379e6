// The township's groups as WeChat rooms: posts go to the rooms bound in the roster (by id, so a
// renamed group still gets its bulletin); /群, /人员 and roster imports read rooms and members.
import type { Room, Wechaty } from 'wechaty'
import type { Township } from '../config/township.ts'
import type { RoomDirectory } from '../roster/roster.ts'
import type { GroupDirectory } from '../schedule/index.ts'
import { isLoggedIn } from './puppet.ts'
import type { SeenRoom } from '../workflow/groups.ts'

export class WechatyGroups implements GroupDirectory, RoomDirectory {
  private bot: Wechaty | undefined

  constructor(private readonly known: Township) {}

  attach(bot: Wechaty): void {
    this.bot = bot
  }

  async township(): Promise<string | undefined> {
    return this.known.groupOf('township')?.roomId
  }

  async village(village: string): Promise<string | undefined> {
    return this.known.groupOf('village', village)?.roomId
  }

  async county(): Promise<string | undefined> {
    return this.known.groupOf('county')?.roomId
  }

  async rooms(): Promise<SeenRoom[]> {
    if (!this.bot || !isLoggedIn(this.bot)) return []
    const rooms = await this.bot.Room.findAll()
    return Promise.all(rooms.map((room) => describeRoom(room)))
  }

  async members(roomId: string): Promise<{ id: string; name: string; alias?: string }[]> {
    const room = await this.bot?.Room.find({ id: roomId })
    if (!room) return []
    const members = await room.memberAll()
    return Promise.all(members.map(async (m) => ({ id: m.id, name: m.name(), alias: (await room.alias(m)) ?? undefined })))
  }
}

/** A room's id, topic and size. */
export async function describeRoom(room: Room): Promise<SeenRoom> {
  const [topic, members] = await Promise.all([room.topic(), room.memberAll()])
  return { id: room.id, topic, memberCount: members.length }
}
