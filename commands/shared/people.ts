// Reading who and what a roster command is about: the @-mentioned person (by WeChat's own list,
// never by a typed name), a role word, villages or a grid.
import { roleFromWord, type Person } from '../../src/config/township.ts'
import type { Role } from '../../src/config/schema.ts'
import { UserError } from '../../src/errors.ts'
import type { Args } from '../../src/registry/index.ts'
import type { CommandContext } from '../../src/services.ts'

export const MENTION_HINT = '请在微信里输入 @ 后从群成员里选人（不要手打名字），例如 /任命 @赵德明 村书记 卫华村'

/** The one person @-mentioned; refuses none, several, or a name typed without WeChat's mention. */
export function mentionedPerson(ctx: CommandContext): { id: string; name: string } {
  if (ctx.where.kind === 'private') throw new UserError('请在群里发这条命令，并用 @ 选中那个人。')
  if (ctx.mentions.length === 0) throw new UserError(`没有找到被 @ 的群成员。${MENTION_HINT}`)
  if (ctx.mentions.length > 1) throw new UserError('一次只能办一个人，请分开发。')
  return ctx.mentions[0]!
}

/** Drops the typed "@名字" words (the mention itself comes from WeChat's list). */
export function dropMentionWords(args: Args): void {
  while (args.match(/^@/)) {
    // each call removes one
  }
}

/** A role word: 村书记, 网格员, 包村干部, 值班领导, 管理员. */
export function roleWord(args: Args): Role | undefined {
  for (const word of args.remaining) {
    const role = roleFromWord(word)
    if (role) {
      args.oneOf([word])
      return role
    }
  }
  return undefined
}

/** A grid by its full name (卫华村第1网格), or 第1网格 after a village. */
export function gridWord(args: Args, ctx: CommandContext, village: string | undefined): { grid: string; village: string } | undefined {
  const grids = ctx.services.township.config.grids
  for (const word of args.remaining) {
    const grid = grids.find((g) => g.name === word || (village && g.village === village && `${village}${word}` === g.name))
    if (grid) {
      args.oneOf([word])
      return { grid: grid.name, village: grid.village }
    }
  }
  return undefined
}

/** What a role needs: villages for 村书记/网格员/包村干部 (a supervisor without any covers all). */
export function personWithRole(who: { id: string; name: string }, role: Role, villages: string[], grid: string | undefined): Person {
  if ((role === 'village' || role === 'grid') && villages.length === 0) throw new UserError(`请写明是哪个村的${role === 'grid' ? '网格员' : '村书记'}，例如 /任命 @${who.name} ${role === 'grid' ? '网格员 卫华村第1网格' : '村书记 卫华村'}`)
  if (role === 'village' && villages.length > 1) throw new UserError('村书记只能属于一个村。')
  return { wechatId: who.id, name: who.name, role, villages: role === 'admin' || role === 'duty' || role === 'county' ? [] : villages, ...(grid ? { grid } : {}) }
}
