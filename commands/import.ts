import { z } from 'zod'
import { readLedgerSheet } from '../src/import/ledger-sheet.ts'
import { planLedger, planRoster } from '../src/import/plans.ts'
import { readRosterSheet } from '../src/import/roster-sheet.ts'
import { ImportError } from '../src/import/workbook.ts'
import { IMPORT_EXPIRES_MINUTES } from '../src/import/imports.ts'
import { defineCommand } from '../src/services.ts'

const WHAT = ['人员', '台账'] as const

export default defineCommand({
  name: '导入',
  aliases: [],
  summary: '从刚发来的 Excel 导入人员名单或原有整改台账：先预览，/确认导入 后才写入',
  usage: '/导入 人员|台账（先把 .xlsx 文件发给助手）',
  examples: ['/导入 人员', '/导入 台账'],
  roles: ['admin'],
  parse: (args) => ({ what: args.oneOf(WHAT), extra: args.rest() }),
  schema: z.object({
    what: z.enum(WHAT, { error: '要导入什么？请回复：人员 或 台账' }),
    extra: z.undefined({ error: '例如：/导入 人员 或 /导入 台账' }),
  }),
  async run({ what }, ctx) {
    const { imports, township, rooms, ledger } = ctx.services
    if (what === '人员' && ctx.services.policy.rosterFromConfigOnly) return '本乡的人员由配置文件管理（rosterFromConfigOnly），不能从 Excel 导入。'
    const file = await imports.latestFile(ctx.conversationId, ctx.actor.id)
    if (!file) return `请先把 .xlsx 文件发到这里（${IMPORT_EXPIRES_MINUTES} 分钟内），再发 /导入 ${what}。人员名单的格式可以发 /导出 人员模板 获取。`
    try {
      if (what === '人员') {
        const sheet = await readRosterSheet(file.data)
        const { plan, preview } = await planRoster(sheet.rows, sheet.problems, township, rooms)
        if (plan.people.length === 0) return `「${file.name}」预览：\n${preview}\n没有可以导入的人。`
        await imports.propose('人员', ctx.conversationId, ctx.actor.id, file.name, plan)
        return `「${file.name}」预览：\n${preview}\n确认无误请发 /确认导入（${IMPORT_EXPIRES_MINUTES} 分钟内有效），在此之前什么都不会改。`
      }
      const sheet = await readLedgerSheet(file.data, { now: ctx.now })
      const { plan, preview, count } = await planLedger(sheet.rows, sheet.problems, township, file.name, ctx.now, (keys) => ledger.importedKeys(keys))()
      if (count === 0) return `「${file.name}」预览：\n${preview}\n没有需要导入的问题。`
      await imports.propose('台账', ctx.conversationId, ctx.actor.id, file.name, plan)
      return `「${file.name}」预览：\n${preview}\n导入的问题保留原来的发现日期、限期和状态，计入统计、通报和考核。确认无误请发 /确认导入（${IMPORT_EXPIRES_MINUTES} 分钟内有效），在此之前什么都不会改。`
    } catch (error) {
      if (error instanceof ImportError) return `「${file.name}」没有导入：${error.message}`
      throw error
    }
  },
})
