// What an Excel import would change, worked out before anything is stored: the preview an admin
// reads, and the plan /确认导入 applies. Names are matched to group members, never guessed.
import { createHash } from 'node:crypto'
import { roleFromWord, type Person, type Township } from '../config/township.ts'
import { categoryOf, STATUS, type ImportedProblem, type Status } from '../ledger/index.ts'
import type { RoomDirectory } from '../roster/roster.ts'
import type { LedgerRow } from './ledger-sheet.ts'
import type { RosterRow } from './roster-sheet.ts'

export interface RosterPlan {
  people: Person[]
}

export interface LedgerPlan {
  problems: (Omit<ImportedProblem, 'foundAt' | 'deadline' | 'completedAt' | 'verifiedAt'> & { foundAt: string; deadline?: string; completedAt?: string; verifiedAt?: string })[]
}

const MAX_LISTED = 10
const list = (names: string[]) => names.slice(0, MAX_LISTED).join('、') + (names.length > MAX_LISTED ? ` 等 ${names.length} 人` : '')

/** Matches roster rows to members of the bound groups by WeChat name or 群昵称. */
export async function planRoster(rows: RosterRow[], problems: { row: number; reason: string }[], township: Township, rooms: RoomDirectory): Promise<{ plan: RosterPlan; preview: string }> {
  const byName = new Map<string, Set<string>>()
  for (const group of township.boundGroups) {
    for (const m of await rooms.members(group.roomId).catch(() => [])) {
      for (const name of [m.name, m.alias]) {
        if (!name) continue
        const ids = byName.get(name) ?? new Set<string>()
        ids.add(m.id)
        byName.set(name, ids)
      }
    }
  }
  const people: Person[] = []
  const notFound: string[] = []
  const twins: string[] = []
  const unreadable = [...problems]
  for (const row of rows) {
    const role = row.role ? roleFromWord(row.role) : undefined
    if (!role || role === 'resident') {
      unreadable.push({ row: row.row, reason: row.role ? `职务「${row.role}」认不出，请写 村书记、网格员、包村干部、值班领导或管理员` : '没有写职务' })
      continue
    }
    const village = row.village ? township.matchVillage(row.village) : undefined
    if (row.village && village?.kind !== 'found') {
      unreadable.push({ row: row.row, reason: `没有这个村：${row.village}` })
      continue
    }
    const grid = row.grid ? township.config.grids.find((g) => g.name === row.grid || g.name === `${row.village ?? ''}${row.grid}`) : undefined
    if (row.grid && !grid) {
      unreadable.push({ row: row.row, reason: `没有这个网格：${row.grid}` })
      continue
    }
    const villages = grid ? [grid.village] : village?.kind === 'found' ? [village.village] : []
    if ((role === 'village' || role === 'grid') && villages.length === 0) {
      unreadable.push({ row: row.row, reason: `${row.role}要写所在的村` })
      continue
    }
    const ids = byName.get(row.name)
    if (!ids) notFound.push(row.name)
    else if (ids.size > 1) twins.push(`${row.name}（群里有 ${ids.size} 位）`)
    else people.push({ wechatId: [...ids][0]!, name: row.name, role, villages: role === 'admin' || role === 'duty' ? [] : villages, ...(grid ? { grid: grid.name } : {}), ...(row.phone ? { phone: row.phone } : {}) })
  }
  const lines = [`匹配 ${people.length} 人；未找到 ${notFound.length} 人${notFound.length ? `：${list(notFound)}` : ''}；同名 ${twins.length} 人${twins.length ? `：${list(twins)}` : ''}`]
  for (const p of unreadable.slice(0, MAX_LISTED)) lines.push(`第 ${p.row} 行：${p.reason}`)
  if (unreadable.length > MAX_LISTED) lines.push(`……另有 ${unreadable.length - MAX_LISTED} 行读不懂`)
  if (notFound.length + twins.length > 0) lines.push('未找到的人要先进工作群（按微信名或群昵称对照）；同名的请在群里用 /任命 @某人 单独办理。')
  return { plan: { people }, preview: lines.join('\n') }
}

/** The key that makes a ledger row imported twice one problem: village, words and the day found. */
export function importKey(village: string, description: string, foundAt: Date): string {
  return createHash('sha256').update(`${village}\u0000${description}\u0000${foundAt.toISOString().slice(0, 10)}`).digest('hex').slice(0, 32)
}

/** Checks ledger rows against the township; rows already imported are counted, not planned again. */
export function planLedger(rows: LedgerRow[], problems: { row: number; reason: string }[], township: Township, fileName: string, now: Date, imported: (keys: string[]) => Promise<Set<string>>) {
  const unreadable = [...problems]
  const planned: LedgerPlan['problems'] = []
  for (const row of rows) {
    const village = township.matchVillage(row.village)
    if (village.kind !== 'found') {
      unreadable.push({ row: row.row, reason: row.village ? `没有这个村：${row.village}` : '没有写村名' })
      continue
    }
    const foundAt = row.foundAt ?? now
    const status = (row.status ?? STATUS.todo) as Status
    planned.push({
      importKey: importKey(village.village, row.description, foundAt),
      village: village.village,
      ...(row.hamlet ? { hamlet: row.hamlet } : {}),
      ...(row.grid ? { grid: row.grid } : {}),
      category: row.category ?? categoryOf(row.description),
      description: row.description,
      foundAt: foundAt.toISOString(),
      ...(row.deadline ? { deadline: row.deadline.toISOString() } : {}),
      ...(row.responsible ? { responsibleName: row.responsible } : {}),
      status,
      ...(row.completedAt ? { completedAt: row.completedAt.toISOString() } : {}),
      ...(row.verifiedAt ? { verifiedAt: row.verifiedAt.toISOString() } : {}),
      note: `${fileName} 第 ${row.row} 行`,
    })
  }
  return async () => {
    const seen = await imported(planned.map((p) => p.importKey))
    const fresh = planned.filter((p) => !seen.has(p.importKey))
    const byStatus = new Map<string, number>()
    for (const p of fresh) byStatus.set(p.status, (byStatus.get(p.status) ?? 0) + 1)
    const villages = new Set(fresh.map((p) => p.village))
    const lines = [
      `将导入 ${fresh.length} 个问题（${villages.size} 个村；${[...byStatus].map(([s, n]) => `${s} ${n}`).join('，') || '无'}）`,
      ...(seen.size > 0 ? [`另有 ${planned.length - fresh.length} 个以前已经导入过，不会重复。`] : []),
      ...unreadable.slice(0, MAX_LISTED).map((p) => `第 ${p.row} 行：${p.reason}`),
      ...(unreadable.length > MAX_LISTED ? [`……另有 ${unreadable.length - MAX_LISTED} 行读不懂`] : []),
    ]
    return { plan: { problems: fresh } satisfies LedgerPlan, preview: lines.join('\n'), count: fresh.length }
  }
}
