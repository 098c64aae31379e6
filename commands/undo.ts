import { z } from 'zod'
import type { RecordKind } from '../src/campaign/figures.ts'
import { CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { amounts } from './shared/figure-command.ts'

export default defineCommand({
  name: '撤销',
  aliases: ['删除记录'],
  summary: '撤回自己刚记的一条记录（清运、活动、庭院等），记错了重新记',
  usage: '/撤销',
  examples: ['/撤销'],
  roles: CADRE_ROLES,
  parse: (args) => ({ extra: args.rest() }),
  schema: z.object({ extra: z.undefined({ error: '直接发 /撤销 即可，撤回您最近的一条记录' }) }),
  async run(_args, ctx) {
    const { campaign, policy } = ctx.services
    const record = await campaign.lastOf(ctx.actor.id, policy.undoMinutes)
    if (!record) return `您最近 ${policy.undoMinutes} 分钟内没有可撤销的记录。更早的记录请管理员用 /更正。`
    await campaign.undo(record.id, ctx.actor.name)
    const what = [record.village, record.subject].filter(Boolean).join(' ')
    return `↩️ 已撤销记录 ${record.id}（${record.kind}${what ? ' ' + what : ''}：${amounts(record.kind as RecordKind, record.figures)}），不再计入统计。`
  },
})
