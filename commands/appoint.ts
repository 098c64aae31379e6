import { z } from 'zod'
import { ROLE_LABELS } from '../src/config/township.ts'
import { defineCommand } from '../src/services.ts'
import { describePerson } from '../src/roster/roster.ts'
import { dropMentionWords, gridWord, mentionedPerson, personWithRole, roleWord } from './shared/people.ts'

const ROLES = ['admin', 'supervisor', 'duty', 'village', 'grid', 'county'] as const

export default defineCommand({
  name: '任命',
  aliases: ['设置人员'],
  summary: '在群里 @ 某人，给他村书记、网格员、包村干部、值班领导或管理员的身份（立即生效）；县级群里任命县级人员',
  usage: '/任命 @某人 身份 村名或网格（身份：村书记、网格员、包村干部、值班领导、管理员；县级群里：县级人员）',
  examples: ['/任命 @赵德明 村书记 卫华村', '/任命 @王五 网格员 卫华村第1网格', '/任命 @马某 包村干部 卫华村 渔业村'],
  roles: ['admin'],
  // The county's office people are kept by the township serving the county group, and named there.
  inCountyGroup: true,
  parse(args, ctx) {
    dropMentionWords(args)
    const role = roleWord(args)
    const grid = gridWord(args, ctx, undefined)
    const villages: string[] = grid ? [grid.village] : []
    for (let v = args.village(); v; v = args.village()) if (!villages.includes(v)) villages.push(v)
    const gridAfterVillage = grid ?? gridWord(args, ctx, villages[0])
    return { role, villages, grid: gridAfterVillage?.grid, extra: args.rest() }
  },
  schema: z.object({
    role: z.enum(ROLES, { error: '请写明身份：村书记、网格员、包村干部、值班领导或管理员，例如 /任命 @赵德明 村书记 卫华村（县级群里写 县级人员）' }),
    villages: z.array(z.string()),
    grid: z.string().optional(),
    extra: z.string().optional(),
  }),
  async run({ role, villages, grid, extra }, ctx) {
    if (ctx.services.policy.rosterFromConfigOnly) return '本乡的人员由配置文件管理（rosterFromConfigOnly），请联系技术人员修改配置。'
    const who = mentionedPerson(ctx)
    // A county office person is named in the county group, a township's people in its own groups.
    if (ctx.where.kind === 'county' && role !== 'county') return '县级工作群里只任命县级人员，例如 /任命 @孙某 县级人员。乡镇的人员请在本乡镇的工作群里任命。'
    if (ctx.where.kind !== 'county' && role === 'county') return '县级人员请在县级工作群里任命，例如 /任命 @孙某 县级人员。'
    if (extra) return `没看懂「${extra}」。村名请写本乡的村（${ctx.services.township.villageNames.join('、')}），网格写全称，例如 卫华村第1网格。`
    const person = personWithRole(who, role, villages, grid)
    const members = await ctx.services.rooms.members(ctx.conversationId)
    if (!members.some((m) => m.id === who.id)) return `${who.name} 不在本群里。请在他所在的工作群里 @ 他，或先把他拉进群。`
    const before = await ctx.services.roster.appoint(person, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }, '任命')
    const was = before ? `（原为${describePerson(before)}）` : ''
    return `✅ 已任命 ${who.name} 为${describePerson(person)}${was}，立即生效。${ROLE_LABELS[role]}可用的命令见 /帮助。`
  },
})
