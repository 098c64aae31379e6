// 值班: who leads this week. An assignment by message (/值班) wins over the config's rotation.
import type { TownshipConfig } from '../config/schema.ts'
import type { Database } from '../db/index.ts'
import { TIMEZONE } from '../time.ts'
import dayjs from 'dayjs'

export interface DutyLeader {
  name: string
  wechatId?: string
}

/** The Monday (yyyy-mm-dd, Shanghai) of the week that contains `date`. */
export function mondayOf(date: Date): string {
  const d = dayjs(date).tz(TIMEZONE)
  return d.subtract((d.day() + 6) % 7, 'day').format('YYYY-MM-DD')
}

export async function dutyLeaderFor(date: Date, db: Database, config: TownshipConfig): Promise<DutyLeader | undefined> {
  const week = mondayOf(date)
  const assigned = await db.dutyAssignment.findUnique({ where: { week } })
  if (assigned) return { name: assigned.leaderName, wechatId: assigned.leaderId ?? undefined }
  const { rotation, firstWeek } = config.duty
  if (rotation.length === 0) return undefined
  const weeks = Math.round(dayjs.tz(week, TIMEZONE).diff(dayjs.tz(firstWeek, TIMEZONE), 'week', true))
  const id = rotation[((weeks % rotation.length) + rotation.length) % rotation.length]!
  const person = config.people.find((p) => p.wechatId === id)
  return person ? { name: person.name, wechatId: person.wechatId } : undefined
}
