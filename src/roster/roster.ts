// The township's people and groups in the database: who holds which role, which WeChat group
// serves which village, the one-time setup code, and the audit of every role change. Writes go
// through the message's transaction; `changed()` tells the composition root to hand the new
// roster to the Township once that transaction committed, so a change takes effect at once.
import { randomInt } from 'node:crypto'
import type { Role, TownshipConfig } from '../config/schema.ts'
import { ROLE_LABELS, type BoundGroup, type Person, type RosterSnapshot } from '../config/township.ts'
import type { Database } from '../db/index.ts'
import type { Clock } from '../time.ts'

/** The WeChat groups the bot is in, as the bot sees them now (for /群, /人员, roster imports). */
export interface RoomDirectory {
  rooms(): Promise<{ id: string; topic: string; memberCount: number }[]>
  /** A room's members with their WeChat names and group nicknames (群昵称). */
  members(roomId: string): Promise<{ id: string; name: string; alias?: string }[]>
}

/** Who made a change, from which message. */
export interface Editor {
  id: string
  name: string
  messageId?: string
}

export const SETUP_CODE_MINUTES = 30
export const SETUP_CODE_TRIES = 5

type PersonRow = NonNullable<Awaited<ReturnType<Database['person']['findUnique']>>>
type GroupRow = NonNullable<Awaited<ReturnType<Database['groupRoom']['findUnique']>>>

function toPerson(row: PersonRow): Person {
  return { wechatId: row.wechatId, name: row.name, role: row.role as Role, villages: JSON.parse(row.villages) as string[], grid: row.grid ?? undefined, phone: row.phone ?? undefined }
}

/** "村书记 卫华村", for the audit and /人员. */
export function describePerson(p: Pick<Person, 'role' | 'villages' | 'grid'>): string {
  return [ROLE_LABELS[p.role], p.grid ?? p.villages.join('、')].filter((s) => s).join(' ')
}

export class Roster {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    /** Called after every change, so the Township is refreshed once it committed. */
    private readonly changed: () => void = () => {},
  ) {}

  /** The people and bound groups, for the Township. */
  static async snapshot(db: Database): Promise<RosterSnapshot> {
    const [people, groups] = await Promise.all([
      db.person.findMany({ orderBy: [{ appointedAt: 'asc' }, { wechatId: 'asc' }] }),
      db.groupRoom.findMany({ where: { scope: { not: null }, leftAt: null }, orderBy: { boundAt: 'asc' } }),
    ])
    return {
      people: people.map(toPerson),
      groups: groups.map((g): BoundGroup => ({ roomId: g.roomId, topic: g.topic, scope: g.scope as BoundGroup['scope'], village: g.village ?? undefined })),
    }
  }

  /**
   * On start: the config's `people` and id-bound `groups` into the database. A person the config
   * names is added; one added from the config is kept in step with it (and removed when the config
   * drops them); one changed by message since is left as the message made them: the database wins.
   * With `policy.rosterFromConfigOnly`, the config is the whole roster and replaces what is stored.
   */
  async seedFromConfig(config: TownshipConfig): Promise<void> {
    const by: Editor = { id: 'config', name: '配置文件' }
    const onlyConfig = config.policy.rosterFromConfigOnly
    const stored = new Map((await this.db.person.findMany()).map((r) => [r.wechatId, r]))
    for (const p of config.people) {
      const row = stored.get(p.wechatId)
      const person: Person = { wechatId: p.wechatId, name: p.name, role: p.role, villages: p.villages }
      if (!row) await this.appoint(person, by, '配置')
      else if (row.source === 'config' || onlyConfig) {
        const now = toPerson(row)
        if (now.name !== person.name || now.role !== person.role || JSON.stringify(now.villages) !== JSON.stringify(person.villages) || row.source !== 'config') await this.appoint(person, by, '配置')
      }
    }
    const named = new Set(config.people.map((p) => p.wechatId))
    for (const row of stored.values()) {
      if (!named.has(row.wechatId) && (row.source === 'config' || onlyConfig)) await this.dismiss(row.wechatId, by, '配置')
    }
    for (const g of config.groups) {
      if (!g.id) continue // bound by topic when the bot first sees the group
      const row = await this.db.groupRoom.findUnique({ where: { roomId: g.id } })
      if (!row || !row.scope) await this.bind({ roomId: g.id, topic: g.topic ?? row?.topic ?? '', scope: g.scope, village: g.village }, by)
    }
  }

  person(wechatId: string): Promise<Person | undefined> {
    return this.db.person.findUnique({ where: { wechatId } }).then((r) => (r ? toPerson(r) : undefined))
  }

  /** Gives a person a role (replacing any they had); audited. Returns what they were before. */
  async appoint(person: Person, by: Editor, action: string): Promise<Person | undefined> {
    const now = this.clock()
    const row = await this.db.person.findUnique({ where: { wechatId: person.wechatId } })
    const before = row ? toPerson(row) : undefined
    const data = {
      name: person.name,
      role: person.role,
      villages: JSON.stringify(person.villages),
      grid: person.grid ?? null,
      phone: person.phone ?? row?.phone ?? null,
      source: by.id === 'config' ? 'config' : 'chat',
      appointedById: by.id,
      appointedByName: by.name,
      appointedAt: now,
    }
    await this.db.person.upsert({ where: { wechatId: person.wechatId }, create: { wechatId: person.wechatId, ...data }, update: data })
    await this.audit(person.wechatId, person.name, action, before, person, by)
    return before
  }

  /** Takes a person's role away (they count as a resident again); audited. */
  async dismiss(wechatId: string, by: Editor, action = '免职'): Promise<Person | undefined> {
    const row = await this.db.person.findUnique({ where: { wechatId } })
    if (!row) return undefined
    const before = toPerson(row)
    await this.db.person.delete({ where: { wechatId } })
    await this.audit(wechatId, before.name, action, before, undefined, by)
    return before
  }

  private async audit(wechatId: string, name: string, action: string, before: Person | undefined, after: Person | undefined, by: Editor): Promise<void> {
    await this.db.roleChange.create({
      data: {
        wechatId,
        name,
        action,
        before: before ? describePerson(before) : null,
        after: after ? describePerson(after) : null,
        actorId: by.id,
        actorName: by.name,
        messageId: by.messageId ?? null,
        at: this.clock(),
      },
    })
    this.changed()
  }

  /** Each person's latest role change, for /人员 ("刘主任 12月2日任命"). */
  async latestChanges(): Promise<Map<string, { action: string; actorName: string; at: Date }>> {
    const rows = await this.db.roleChange.findMany({ orderBy: { at: 'asc' } })
    return new Map(rows.map((r) => [r.wechatId, { action: r.action, actorName: r.actorName, at: r.at }]))
  }

  // ---- groups ----

  /**
   * The bot is in a room (a message, an invitation, the list at login): remembered with its
   * topic and size. Returns the row and whether it is new to the assistant.
   */
  async sawRoom(roomId: string, topic: string, memberCount: number): Promise<{ room: GroupRow; isNew: boolean }> {
    const now = this.clock()
    const existing = await this.db.groupRoom.findUnique({ where: { roomId } })
    // Every message in an unbound group passes here: write only what changed.
    if (existing && existing.topic === topic && existing.memberCount === memberCount && !existing.leftAt) return { room: existing, isNew: false }
    const room = await this.db.groupRoom.upsert({
      where: { roomId },
      create: { roomId, topic, memberCount, firstSeenAt: now },
      update: { topic, memberCount, leftAt: null },
    })
    if (existing && (existing.topic !== topic || existing.leftAt) && existing.scope) this.changed()
    return { room, isNew: !existing }
  }

  /** Binds a room to the township or a village; a village's earlier group is unbound. Returns the room it replaced, if any. */
  async bind(group: BoundGroup, by: Editor): Promise<GroupRow | undefined> {
    const now = this.clock()
    const previous = await this.db.groupRoom.findFirst({ where: { scope: group.scope, village: group.village ?? null, roomId: { not: group.roomId }, leftAt: null } })
    if (previous) await this.db.groupRoom.update({ where: { roomId: previous.roomId }, data: { scope: null, village: null } })
    const data = { topic: group.topic, scope: group.scope, village: group.village ?? null, boundById: by.id, boundByName: by.name, boundAt: now, leftAt: null }
    await this.db.groupRoom.upsert({ where: { roomId: group.roomId }, create: { roomId: group.roomId, firstSeenAt: now, ...data }, update: data })
    this.changed()
    return previous ?? undefined
  }

  async unbind(roomId: string): Promise<GroupRow | undefined> {
    const row = await this.db.groupRoom.findUnique({ where: { roomId } })
    if (!row?.scope) return undefined
    await this.db.groupRoom.update({ where: { roomId }, data: { scope: null, village: null } })
    this.changed()
    return row
  }

  /** The bot was removed from a room; returns it (bound or not) when it knew it. */
  async leftRoom(roomId: string): Promise<GroupRow | undefined> {
    const row = await this.db.groupRoom.findUnique({ where: { roomId } })
    if (!row || row.leftAt) return undefined
    await this.db.groupRoom.update({ where: { roomId }, data: { leftAt: this.clock() } })
    if (row.scope) this.changed()
    return row
  }

  /** An unbound room the admins have not been told of yet: marks it told. */
  async announceOnce(roomId: string): Promise<boolean> {
    const { count } = await this.db.groupRoom.updateMany({ where: { roomId, scope: null, announcedAt: null }, data: { announcedAt: this.clock() } })
    return count > 0
  }

  rooms(): Promise<GroupRow[]> {
    return this.db.groupRoom.findMany({ where: { leftAt: null }, orderBy: { firstSeenAt: 'asc' } })
  }

  // ---- the first admin ----

  /** A setup code while the township has no admin: the valid one, or a new one. Undefined once there is an admin. */
  async setupCode(): Promise<{ code: string; expiresAt: Date } | undefined> {
    if ((await this.db.person.count({ where: { role: 'admin' } })) > 0) return undefined
    const now = this.clock()
    const valid = await this.db.setupCode.findFirst({ where: { usedAt: null, expiresAt: { gt: now }, failures: { lt: SETUP_CODE_TRIES } }, orderBy: { id: 'desc' } })
    if (valid) return { code: valid.code, expiresAt: valid.expiresAt }
    const code = String(randomInt(100_000, 1_000_000))
    const expiresAt = new Date(now.getTime() + SETUP_CODE_MINUTES * 60_000)
    await this.db.setupCode.create({ data: { code, createdAt: now, expiresAt } })
    return { code, expiresAt }
  }

  /** Checks a code sent with /管理员; a right one is used up. */
  async redeem(code: string, by: Editor): Promise<'ok' | 'wrong' | 'expired' | 'locked' | 'none'> {
    const now = this.clock()
    const latest = await this.db.setupCode.findFirst({ where: { usedAt: null }, orderBy: { id: 'desc' } })
    if (!latest) return 'none'
    if (latest.failures >= SETUP_CODE_TRIES) return 'locked'
    if (latest.expiresAt <= now) return 'expired'
    if (latest.code !== code) {
      const failures = latest.failures + 1
      await this.db.setupCode.update({ where: { id: latest.id }, data: { failures } })
      return failures >= SETUP_CODE_TRIES ? 'locked' : 'wrong'
    }
    await this.db.setupCode.update({ where: { id: latest.id }, data: { usedAt: now, usedById: by.id } })
    return 'ok'
  }
}
