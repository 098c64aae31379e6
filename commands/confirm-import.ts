import { z } from 'zod'
import type { LedgerPlan, RosterPlan } from '../src/import/plans.ts'
import { defineCommand } from '../src/services.ts'
import { statusLine } from '../src/ledger/index.ts'

export default defineCommand({
  name: '确认导入',
  aliases: [],
  summary: '把 /导入 预览过的人员或台账写入（只能一次）',
  usage: '/确认导入',
  examples: ['/确认导入'],
  roles: ['admin'],
  parse: (args) => ({ extra: args.rest() }),
  schema: z.object({ extra: z.undefined({ error: '直接发 /确认导入 即可' }) }),
  async run(_args, ctx) {
    const { imports, roster, ledger } = ctx.services
    const pending = await imports.take(ctx.conversationId, ctx.actor.id)
    if (pending === undefined) return '没有等待确认的导入。请先发 .xlsx 文件，再发 /导入 人员 或 /导入 台账。'
    if (pending === 'applied') return '这次导入已经写入过了，没有重复导入。'
    if (pending === 'expired') return '预览已过期（1 小时内有效），什么也没有改。请重新发 /导入。'
    const by = { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }
    if (pending.kind === '人员') {
      const { people } = pending.plan as RosterPlan
      for (const person of people) await roster.appoint(person, by, `导入 ${pending.fileName}`)
      return `✅ 已从「${pending.fileName}」导入 ${people.length} 人，立即生效。发 /人员 查看。`
    }
    const { problems } = pending.plan as LedgerPlan
    let created = 0
    const villages = new Set<string>()
    for (const p of problems) {
      const row = {
        ...p,
        foundAt: new Date(p.foundAt),
        deadline: p.deadline ? new Date(p.deadline) : undefined,
        completedAt: p.completedAt ? new Date(p.completedAt) : undefined,
        verifiedAt: p.verifiedAt ? new Date(p.verifiedAt) : undefined,
      }
      if (await ledger.importOne(row, { actorId: by.id, actorName: by.name, messageId: by.messageId })) {
        created++
        villages.add(p.village)
      }
    }
    const skipped = problems.length - created
    const lines = [`✅ 已从「${pending.fileName}」导入 ${created} 个问题${skipped > 0 ? `（${skipped} 个之前已导入，没有重复）` : ''}。`]
    for (const v of villages) lines.push(statusLine(await ledger.countsOf(v)))
    return lines.join('\n')
  },
})
