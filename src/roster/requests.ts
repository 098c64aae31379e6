// /我是: a member asks for a role in their village group; the village's 包村干部 and the admins
// decide with /同意 N or /拒绝 N, and the applicant hears the decision where they asked.
import type { Role } from '../config/schema.ts'
import { ROLE_LABELS, type Township } from '../config/township.ts'
import type { Database } from '../db/index.ts'
import type { Notifier } from '../outgoing.ts'
import type { Clock } from '../time.ts'
import { type Editor, type Roster } from './roster.ts'

export interface RoleAsk {
  wechatId: string
  name: string
  role: Role
  village: string
  grid?: string
  conversationId: string
  messageId: string
}

export class RoleRequests {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly township: Township,
    private readonly roster: Roster,
    private readonly notify: Notifier,
  ) {}

  /** Files the request and tells the deciders; returns its number, or the open one already filed. */
  async ask(ask: RoleAsk): Promise<{ id: number; existing: boolean }> {
    const open = await this.db.roleRequest.findFirst({ where: { wechatId: ask.wechatId, status: 'pending' } })
    if (open) return { id: open.id, existing: true }
    const row = await this.db.roleRequest.create({ data: { ...ask, grid: ask.grid ?? null, status: 'pending', createdAt: this.clock() } })
    const what = `${ask.village}${ROLE_LABELS[ask.role]}${ask.grid ? `（${ask.grid}）` : ''}`
    const text = `${ask.name}申请为${what}，回复 /同意 ${row.id} 或 /拒绝 ${row.id}`
    for (const id of this.decidersOf(ask.village)) await this.notify.send(id, text)
    return { id: row.id, existing: false }
  }

  /** The village's 包村干部 and the admins. */
  decidersOf(village: string): string[] {
    return [...new Set([...this.township.supervisorIdsOf(village), ...this.township.admins().map((a) => a.wechatId)])]
  }

  async find(id: number) {
    return this.db.roleRequest.findUnique({ where: { id } })
  }

  /** Approves or refuses; the applicant is told in the group where they asked. */
  async decide(id: number, approve: boolean, by: Editor, reason?: string): Promise<'done' | 'decided' | 'missing'> {
    const request = await this.db.roleRequest.findUnique({ where: { id } })
    if (!request) return 'missing'
    if (request.status !== 'pending') return 'decided'
    await this.db.roleRequest.update({ where: { id }, data: { status: approve ? 'approved' : 'refused', decidedById: by.id, decidedByName: by.name, decidedAt: this.clock() } })
    const what = `${request.village}${ROLE_LABELS[request.role as Role]}${request.grid ? `（${request.grid}）` : ''}`
    if (approve) {
      await this.roster.appoint({ wechatId: request.wechatId, name: request.name, role: request.role as Role, villages: [request.village], ...(request.grid ? { grid: request.grid } : {}) }, by, '同意申请')
      await this.notify.send(request.conversationId, `${request.name}，您申请的${what}已由${by.name}同意，立即生效。发 /帮助 查看可以用的命令。`, [request.wechatId])
    } else {
      await this.notify.send(request.conversationId, `${request.name}，您申请的${what}没有通过（${by.name}${reason ? `：${reason}` : ''}）。如有疑问请联系乡办公室。`, [request.wechatId])
    }
    return 'done'
  }
}
