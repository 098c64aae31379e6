import { z } from 'zod'
import { ROLE_LABELS } from '../src/config/township.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand, type CountyView } from '../src/services.ts'
import { askedOfCounty, countyOf } from './shared/county.ts'

export default defineCommand({
  name: '帮助',
  aliases: ['help', '菜单', '?'],
  summary: '查看可以用的命令和例子',
  usage: '/帮助 [命令]',
  examples: ['/帮助', '/帮助 整改'],
  roles: [...ALL_ROLES, 'county'],
  inCountyGroup: true,
  parse: (args) => ({ topic: args.rest()?.replace(/^[/\\]/, '') }),
  schema: z.object({ topic: z.string().optional() }),
  async run({ topic }, ctx) {
    const { registry, actor } = ctx
    if (topic) {
      const command = registry.find(topic) ?? registry.nearest(topic)
      if (!command) return `没有「${topic}」这个命令。发 /帮助 查看全部命令。`
      const allowed = command.roles.includes(actor.role) ? '' : '\n（您目前的身份不能使用此命令）'
      return [`/${command.name}：${command.summary}`, `写法：${command.usage}`, '例如：', ...command.examples.map((e) => `  ${e}`)].join('\n') + allowed
    }
    if (askedOfCounty(ctx)) return countyHelp(countyOf(ctx))
    const lines = registry.allowedFor(actor.role).map((c) => `${c.examples[0]}　${c.summary}`)
    return [
      `${ctx.services.township.name}人居环境整治助手（您的身份：${ROLE_LABELS[actor.role]}）`,
      ...lines,
      '斜杠可省略，全角半角都行；发 /帮助 命令名 看详细写法。',
    ].join('\n')
  },
})

/** What the county group can ask, with its own townships in the examples. */
export function countyHelp(county: CountyView): string {
  const example = county.townshipNames[0] ?? '某某乡'
  return [
    `${county.name}人居环境整治助手（县级）`,
    '/统计 全县　全县各乡镇的整改数字',
    `/统计 ${example}　一个乡镇的整改数字`,
    '/排名　各乡镇按月考核办法排名（可写月份，例如 /排名 11月）',
    '/导出 统计　全县统计 Excel：汇总表和各乡镇一张表',
    '县级群按时收到全县周通报（文字和图片）和各乡镇月考核。',
  ].join('\n')
}
