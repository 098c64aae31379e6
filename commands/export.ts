import { z } from 'zod'
import { rosterTemplate } from '../src/import/roster-sheet.ts'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { askedOfCounty, countyOf } from './shared/county.ts'

const WHAT = ['台账', '统计', '人员模板'] as const

export default defineCommand({
  name: '导出',
  aliases: ['下载'],
  summary: '导出 Excel：整改台账（全部字段和经过）、全部统计记录，或填人员名单用的模板',
  usage: '/导出 台账|统计|人员模板 [村名]',
  examples: ['/导出 台账', '/导出 统计', '/导出 台账 卫华村', '/导出 人员模板'],
  roles: [...SUPERVISING_ROLES, 'village', 'county'],
  inCountyGroup: true,
  parse: (args) => ({ what: args.oneOf(WHAT), village: args.village(), extra: args.rest() }),
  schema: z.object({
    what: z.enum(WHAT, { error: '要导出什么？请回复：台账、统计 或 人员模板' }),
    village: z.string().optional(),
    extra: z.undefined({ error: '例如：/导出 台账、/导出 统计 或 /导出 人员模板' }),
  }),
  async run({ what, village }, ctx) {
    if (askedOfCounty(ctx)) {
      if (what !== '统计') return '县级可以导出全县统计：/导出 统计'
      const file = await countyOf(ctx).workbook()
      return { text: `📎 全县统计（各乡镇一张表，另有全县汇总）已导出为 Excel，文件随后发送：${file.name}`, file }
    }
    // The template holds no data: whoever fills in a roster may have it, then sends it back for /导入 人员.
    if (what === '人员模板') {
      const file = { name: '人员名单模板.xlsx', data: await rosterTemplate() }
      return { text: `📎 人员名单模板随后发送：${file.name}。填好后发给助手，再发 /导入 人员。`, file }
    }
    // A village secretary exports their own village's ledger.
    const scoped = village ?? (ctx.actor.role === 'village' ? ctx.actor.villages[0] : undefined)
    if (scoped) ctx.requireScope(scoped)
    if (what === '统计' && ctx.actor.role === 'village') return '全乡统计请乡办公室导出；您可以发 /导出 台账 导出本村台账。'
    const file = what === '台账' ? await ctx.services.exports.ledger(scoped) : await ctx.services.exports.campaign()
    return { text: `📎 ${what}${scoped ? `（${scoped}）` : ''}已导出为 Excel，文件随后发送：${file.name}`, file }
  },
})
