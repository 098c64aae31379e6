import { z } from 'zod'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '加提示',
  aliases: ['添加提示'],
  summary: '往宣传提示库里加一条，定时推送时轮到',
  usage: '/加提示 内容',
  examples: ['/加提示 【冬季防火】柴草垛远离炉灶和电线，家中备好灭火用水。'],
  roles: ['admin'],
  parse: (args) => ({ text: args.rest() }),
  schema: z.object({ text: z.string({ error: '请写提示内容，例如：/加提示 【冬季防火】柴草垛远离炉灶' }).min(6, '提示内容太短').max(500, '提示请不超过 500 字') }),
  async run({ text }, ctx) {
    const all = await ctx.services.tips.all()
    if (all.some((t) => t.text === text)) return '提示库里已经有这一条了。'
    await ctx.services.tips.add(text, ctx.actor.name)
    return `已加入宣传提示库（共 ${all.length + 1} 条），定时推送时会轮到；要马上发可用 /推送 村名 ${text.slice(0, 10)}…`
  },
})
