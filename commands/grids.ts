import { z } from 'zod'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '网格',
  aliases: ['网格员'],
  summary: '查看网格和网格负责人',
  usage: '/网格 [村名]',
  examples: ['/网格', '/网格 卫华村'],
  roles: ALL_ROLES,
  parse: (args, ctx) => ({ village: args.village() ?? (ctx.where.kind === 'village' ? ctx.where.village : undefined), extra: args.rest() }),
  schema: z.object({ village: z.string().optional(), extra: z.undefined({ error: '只需要写村名，例如 /网格 卫华村' }) }),
  async run({ village }, ctx) {
    const grids = ctx.services.config.grids.filter((g) => !village || g.village === village)
    if (!village) {
      const byVillage = ctx.services.township.villageNames.map((v) => `${v} ${grids.filter((g) => g.village === v).length} 个`)
      return [`🗺 全乡共 ${grids.length} 个网格：${byVillage.join('，')}`, '发 /网格 村名 查看各网格负责人。'].join('\n')
    }
    const lines = grids.map((g) => `${g.name}：负责人 ${g.leader ?? '未定'}${g.workers.length > 0 ? `，网格员 ${g.workers.join('、')}` : ''}`)
    return [`🗺 ${village}共 ${grids.length} 个网格`, ...lines].join('\n')
  },
})
