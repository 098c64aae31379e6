// The township as the bot sees it: villages and their names, groups, people and their roles.
// This is the one place that knows who may act where.
import { distance } from 'fastest-levenshtein'
import type { GroupConfig, PersonConfig, Role, TownshipConfig } from './schema.ts'

export const ROLE_LABELS: Record<Role, string> = {
  admin: '乡办公室管理员',
  supervisor: '包村干部',
  duty: '值班领导',
  village: '村书记',
  grid: '网格员',
  resident: '村民',
}

/** Who is speaking, and where they may act. */
export interface Actor {
  id: string
  name: string
  role: Role
  /** Villages this person may act on; every village for admins, supervisors without a list, and duty leaders. */
  villages: string[]
  /** Known from the config (not a resident who merely sits in a group). */
  registered: boolean
}

/** Where a message was said. */
export type Conversation =
  | { kind: 'township' }
  | { kind: 'village'; village: string }
  | { kind: 'private' }

export type VillageMatch =
  | { kind: 'found'; village: string }
  | { kind: 'suggest'; input: string; village: string }
  | { kind: 'none' }

export class Township {
  readonly name: string
  readonly villageNames: string[]
  private readonly byName = new Map<string, string>()
  private readonly people = new Map<string, PersonConfig>()

  constructor(readonly config: TownshipConfig) {
    this.name = config.township.name
    this.villageNames = config.villages.map((v) => v.name)
    for (const v of config.villages) {
      for (const n of [v.name, v.name.replace(/村$/, ''), ...v.aliases]) this.byName.set(n, v.name)
    }
    for (const p of config.people) this.people.set(p.wechatId, p)
  }

  /** A village from its name, its name without 村, or an alias; a near miss becomes a suggestion. */
  matchVillage(word: string): VillageMatch {
    const exact = this.byName.get(word)
    if (exact) return { kind: 'found', village: exact }
    // Only words that look like a place name are worth a suggestion.
    const bare = word.replace(/村$/, '')
    if (bare.length < 2 || bare.length > 6) return { kind: 'none' }
    let best: { village: string; d: number } | undefined
    for (const [alias, village] of this.byName) {
      const d = distance(bare, alias.replace(/村$/, ''))
      if (d <= Math.max(1, Math.floor(bare.length / 3)) && (!best || d < best.d)) best = { village, d }
    }
    if (best && (word.endsWith('村') || best.d <= 1)) return { kind: 'suggest', input: word, village: best.village }
    return { kind: 'none' }
  }

  hamletsOf(village: string): string[] {
    return this.config.villages.find((v) => v.name === village)?.hamlets ?? []
  }

  gridsOf(village: string): string[] {
    return this.config.grids.filter((g) => g.village === village).map((g) => g.name)
  }

  /** The grid a person leads or works in, by their name. */
  gridOfPerson(village: string, name: string): string | undefined {
    return this.config.grids.find((g) => g.village === village && (g.leader === name || g.workers.includes(name)))?.name
  }

  /** The village's first responsible person (村书记), named on reminders and new problems. */
  secretaryOf(village: string): string | undefined {
    return this.config.people.find((p) => p.role === 'village' && p.villages.includes(village))?.name
  }

  /** The cadres who supervise a village (包村干部), who verify its work. */
  supervisorsOf(village: string): string[] {
    return this.supervisorPeople(village).map((p) => p.name)
  }

  supervisorIdsOf(village: string): string[] {
    return this.supervisorPeople(village).map((p) => p.wechatId)
  }

  private supervisorPeople(village: string): PersonConfig[] {
    return this.config.people.filter((p) => p.role === 'supervisor' && (p.villages.length === 0 || p.villages.includes(village)))
  }

  /** The group a room is bound to, by id first, then by topic. */
  groupFor(roomId: string, topic: string | undefined): GroupConfig | undefined {
    return (
      this.config.groups.find((g) => g.id === roomId) ??
      (topic === undefined ? undefined : this.config.groups.find((g) => g.topic === topic))
    )
  }

  conversationOf(group: GroupConfig): Conversation {
    return group.scope === 'village' && group.village ? { kind: 'village', village: group.village } : { kind: 'township' }
  }

  isRegistered(wechatId: string): boolean {
    return this.people.has(wechatId)
  }

  /** The actor behind a contact: a configured person, or a resident of the group's village. */
  actor(wechatId: string, displayName: string, where: Conversation): Actor {
    const person = this.people.get(wechatId)
    if (!person) {
      return { id: wechatId, name: displayName, role: 'resident', villages: where.kind === 'village' ? [where.village] : [], registered: false }
    }
    const everywhere = person.role === 'admin' || person.role === 'duty' || (person.role === 'supervisor' && person.villages.length === 0)
    return {
      id: wechatId,
      name: person.name,
      role: person.role,
      villages: everywhere ? [...this.villageNames] : person.villages,
      registered: true,
    }
  }

  /** Roles that may do something, as a short Chinese list for refusals ("村书记、网格员或乡办公室管理员"). */
  static describeRoles(roles: readonly Role[]): string {
    const labels = roles.map((r) => ROLE_LABELS[r])
    return labels.length <= 1 ? (labels[0] ?? '') : `${labels.slice(0, -1).join('、')}或${labels.at(-1)}`
  }
}
