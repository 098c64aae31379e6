import { z } from 'zod'
import { defineCommand } from '../src/services.ts'
import { describePerson } from '../src/roster/roster.ts'
import { dropMentionWords, mentionedPerson } from './shared/people.ts'

export default defineCommand({
  name: '免职',
  aliases: ['撤销任命'],
  summary: '在群里 @ 某人，取消他的身份（之后按村民对待）',
  usage: '/免职 @某人',
  examples: ['/免职 @王五'],
  roles: ['admin'],
  // In the county group: the county's office people (see /任命).
  inCountyGroup: true,
  parse(args) {
    dropMentionWords(args)
    return { extra: args.rest() }
  },
  schema: z.object({ extra: z.string().optional() }),
  async run(_args, ctx) {
    if (ctx.services.policy.rosterFromConfigOnly) return '本乡的人员由配置文件管理（rosterFromConfigOnly），请联系技术人员修改配置。'
    const who = mentionedPerson(ctx)
    const role = ctx.services.township.person(who.id)?.role
    if (ctx.where.kind === 'county' && role !== undefined && role !== 'county') return `${who.name} 是乡镇的人员，请在本乡镇的工作群里免职。县级工作群里只免去县级人员。`
    if (ctx.where.kind !== 'county' && role === 'county') return `${who.name} 是县级人员，请在县级工作群里免职。`
    if (who.id === ctx.actor.id && ctx.services.township.admins().length === 1) return '您是唯一的管理员，不能免去自己。请先 /任命 另一位管理员。'
    const before = await ctx.services.roster.dismiss(who.id, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    if (!before) return `${who.name} 本来就没有身份（按村民对待）。`
    return `已免去 ${who.name} 的${describePerson(before)}身份，立即生效。`
  },
})
