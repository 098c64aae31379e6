import { z } from 'zod'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { formatDateTime } from '../src/time.ts'

export default defineCommand({
  name: '计划',
  aliases: ['定时'],
  summary: '查看定时发布的安排（周通报、月考核、宣传、提醒）',
  usage: '/计划',
  examples: ['/计划'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ extra: args.rest() }),
  schema: z.object({ extra: z.undefined({ error: '直接发 /计划 即可' }) }),
  async run(_args, ctx) {
    const rows = await ctx.services.schedule.plan()
    const status = (s: string) => (s === 'queued' ? '已发' : s === 'missed' ? '错过（助手离线）' : s)
    const lines = rows.map((r) => `${r.label}：下次 ${formatDateTime(r.next)}${r.last ? `；上次 ${formatDateTime(r.last.dueAt)} ${status(r.last.status)}` : ''}`)
    return ['🗓 定时发布安排（北京时间）', ...lines].join('\n')
  },
})
