import { z } from 'zod'
import { FIGURES_BY_KIND } from '../src/campaign/figures.ts'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '会议',
  aliases: ['推进会'],
  summary: '记录召开的推进会议、培训会',
  usage: '/会议 会议名称',
  examples: ['/会议 人居环境整治推进会', '/会议 村书记培训会'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ name: args.rest() }),
  schema: z.object({ name: z.string({ error: '请写明会议名称，例如：/会议 推进会' }).max(50, '会议名称太长') }),
  async run({ name }, ctx) {
    const { campaign } = ctx.services
    const record = await campaign.record({ kind: '会议', subject: name, figures: [{ figure: FIGURES_BY_KIND.会议[0], value: 1 }] }, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    return `🗣 已记录会议「${name}」（记录 ${record.id}）。全乡累计召开会议 ${await campaign.count('会议')} 次。`
  },
})
