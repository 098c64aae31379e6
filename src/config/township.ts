// The township as the bot sees it: villages and their names, groups, people and their roles.
// This is the one place that knows who may act where. Villages come from the config; people and
// group bindings from the roster in the database (seeded from the config), replaced as a whole
// whenever a change by message commits, so a change takes effect at once.
import { distance } from 'fastest-levenshtein'
import type { GroupScope, Role, TownshipConfig } from './schema.ts'

export const ROLE_LABELS: Record<Role, string> = {
  admin: '乡办公室管理员',
  supervisor: '包村干部',
  duty: '值班领导',
  village: '村书记',
  grid: '网格员',
  resident: '村民',
  county: '县级人员',
}

/** The words people use for each role, in /任命, /我是 and an Excel roster's 职务 column. */
const ROLE_WORDS: Record<string, Role> = {
  管理员: 'admin',
  乡办公室管理员: 'admin',
  办公室管理员: 'admin',
  包村干部: 'supervisor',
  包村领导: 'supervisor',
  值班领导: 'duty',
  村书记: 'village',
  书记: 'village',
  村干部: 'village',
  村两委: 'village',
  网格员: 'grid',
  网格长: 'grid',
  村民: 'resident',
  县级: 'county',
  县级人员: 'county',
  县人居办: 'county',
}

/** The role a word names ("村书记" → village), if any. */
export function roleFromWord(word: string): Role | undefined {
  return ROLE_WORDS[word.trim()]
}

/** A person who holds a role. */
export interface Person {
  wechatId: string
  name: string
  role: Role
  villages: string[]
  grid?: string
  phone?: string
}

/** A WeChat group bound to the township (by room id: renaming it changes nothing). */
export interface BoundGroup {
  roomId: string
  topic: string
  scope: GroupScope
  village?: string
}

export interface RosterSnapshot {
  people: Person[]
  groups: BoundGroup[]
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
  /** A county's group: the county's figures only. */
  | { kind: 'county' }
  | { kind: 'private' }
  /** A group the bot is in that is not bound yet: it answers only /绑定 there. */
  | { kind: 'unbound'; topic: string; memberCount: number }

export type VillageMatch =
  | { kind: 'found'; village: string }
  | { kind: 'suggest'; input: string; village: string }
  | { kind: 'none' }

export class Township {
  readonly name: string
  readonly villageNames: string[]
  private readonly byName = new Map<string, string>()
  private people = new Map<string, Person>()
  private groups = new Map<string, BoundGroup>()

  /** `roster`: people and bindings from the database; by default the config's own (unit tests). */
  constructor(
    readonly config: TownshipConfig,
    roster: RosterSnapshot = Township.rosterOfConfig(config),
  ) {
    this.name = config.township.name
    this.villageNames = config.villages.map((v) => v.name)
    for (const v of config.villages) {
      for (const n of [v.name, v.name.replace(/村$/, ''), ...v.aliases]) this.byName.set(n, v.name)
    }
    this.setRoster(roster)
  }

  /** The people and the id-bound groups a config names. */
  static rosterOfConfig(config: TownshipConfig): RosterSnapshot {
    return {
      people: config.people.map((p) => ({ wechatId: p.wechatId, name: p.name, role: p.role, villages: p.villages })),
      groups: config.groups.flatMap((g) => (g.id ? [{ roomId: g.id, topic: g.topic ?? '', scope: g.scope, village: g.village }] : [])),
    }
  }

  /** Takes a new roster (a committed change): from now on every message sees it. */
  setRoster(roster: RosterSnapshot): void {
    this.people = new Map(roster.people.map((p) => [p.wechatId, p]))
    this.groups = new Map(roster.groups.map((g) => [g.roomId, g]))
  }

  /** Everyone who holds a role, in the order they were added. */
  get everyone(): Person[] {
    return [...this.people.values()]
  }

  person(wechatId: string): Person | undefined {
    return this.people.get(wechatId)
  }


  admins(): Person[] {
    return this.everyone.filter((p) => p.role === 'admin')
  }

  get boundGroups(): BoundGroup[] {
    return [...this.groups.values()]
  }

  /** The township group, a village's group, or the county's group (kept by the township whose account serves it). */
  groupOf(scope: GroupScope, village?: string): BoundGroup | undefined {
    return this.boundGroups.find((g) => g.scope === scope && (scope !== 'village' || g.village === village))
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
    return this.everyone.find((p) => p.role === 'village' && p.villages.includes(village))?.name
  }

  /** The cadres who supervise a village (包村干部), who verify its work. */
  supervisorsOf(village: string): string[] {
    return this.supervisorPeople(village).map((p) => p.name)
  }

  supervisorIdsOf(village: string): string[] {
    return this.supervisorPeople(village).map((p) => p.wechatId)
  }

  private supervisorPeople(village: string): Person[] {
    return this.everyone.filter((p) => p.role === 'supervisor' && (p.villages.length === 0 || p.villages.includes(village)))
  }

  /** The binding of a room, by its id. */
  groupFor(roomId: string): BoundGroup | undefined {
    return this.groups.get(roomId)
  }

  /** A group the config names by topic only: bound by id the first time the bot sees it. */
  configGroupWithTopic(topic: string): { scope: GroupScope; village?: string } | undefined {
    const group = this.config.groups.find((g) => !g.id && g.topic === topic)
    return group ? { scope: group.scope, village: group.village } : undefined
  }

  conversationOf(group: { scope: GroupScope; village?: string }): Conversation {
    if (group.scope === 'county') return { kind: 'county' }
    return group.scope === 'village' && group.village ? { kind: 'village', village: group.village } : { kind: 'township' }
  }


  /** The actor behind a contact: a person with a role, or a resident of the group's village. */
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
