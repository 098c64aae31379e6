// The county's own questions: asked in the county's group, or privately by the county office.
import { UserError } from '../../src/errors.ts'
import type { CommandContext, CountyView } from '../../src/services.ts'

/** Whether the command is asked of the county rather than of this township. */
export function askedOfCounty(ctx: CommandContext): boolean {
  return ctx.where.kind === 'county' || (ctx.where.kind === 'private' && ctx.actor.role === 'county')
}

/** The county's figures, where this township serves the county's group. */
export function countyOf(ctx: CommandContext): CountyView {
  const county = ctx.services.county
  if (!county) throw new UserError('全县的数字请在县级工作群里查询。')
  return county
}

/** A township named in a county question: undefined for the whole county (全县, or nothing). */
export function townshipAsked(county: CountyView, word: string | undefined): string | undefined {
  if (!word || word === '全县' || word === county.name) return undefined
  const name = county.townshipNames.find((n) => n === word || n.replace(/[乡镇]$/, '') === word.replace(/[乡镇]$/, ''))
  if (!name) throw new UserError(`没有「${word}」这个乡镇。可以写：全县，或 ${county.townshipNames.join('、')}，例如 /统计 ${county.townshipNames[0]}`)
  return name
}
