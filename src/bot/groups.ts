// The township's groups as WeChat rooms: scheduled posts need a room id, the config gives a topic.
import type { Wechaty } from 'wechaty'
import type { GroupConfig } from '../config/schema.ts'
import type { Township } from '../config/township.ts'
import type { GroupDirectory } from '../schedule/index.ts'

export class WechatyGroups implements GroupDirectory {
  private bot: Wechaty | undefined
  private readonly ids = new Map<GroupConfig, string>()

  constructor(private readonly townshipConfig: Township) {}

  attach(bot: Wechaty): void {
    this.bot = bot
  }

  township(): Promise<string | undefined> {
    return this.idOf(this.townshipConfig.config.groups.find((g) => g.scope === 'township'))
  }

  village(village: string): Promise<string | undefined> {
    return this.idOf(this.townshipConfig.config.groups.find((g) => g.scope === 'village' && g.village === village))
  }

  private async idOf(group: GroupConfig | undefined): Promise<string | undefined> {
    if (!group) return undefined
    if (group.id) return group.id
    const known = this.ids.get(group)
    if (known) return known
    const room = group.topic && this.bot ? await this.bot.Room.find({ topic: group.topic }) : undefined
    if (room) this.ids.set(group, room.id)
    return room?.id
  }
}
