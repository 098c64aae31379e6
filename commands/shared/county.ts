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

