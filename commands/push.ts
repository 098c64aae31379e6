import { z } from 'zod'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '推送',
  aliases: [],
  summary: '马上向村级群推送宣传内容（不写内容则从宣传提示库取下一条）',
  usage: '/推送 村名|全部 [内容]',
  examples: ['/推送 卫华村 明天上午全村大扫除，请各户清理房前屋后', '/推送 全部'],
  roles: ['admin'],
  parse: (args, ctx) => {
    const all = args.oneOf(['全部', '全乡', '所有村'])
    return { villages: all ? ctx.services.township.villageNames : [ctx.villageOrAsk(args.village())], text: args.rest() }
  },
  schema: z.object({
    villages: z.array(z.string()).min(1),
    text: z.string().max(1000, '推送内容请不超过 1000 字').optional(),
  }),
  async run({ villages, text }, ctx) {
    const { schedule, tips, notify } = ctx.services
    const sent: string[] = []
    for (const village of villages) {
      const to = await schedule.groups.village(village)
      if (!to) continue
      if (text) {
        await notify.send(to, `📢 ${text}`)
      } else {
        const tip = await tips.next(to)
        await tips.markSent(to, tip.key)
        await notify.send(to, `📢 ${tip.text}`)
      }
      sent.push(village)
    }
    const missing = villages.filter((v) => !sent.includes(v))
    return [
      sent.length > 0 ? `已向 ${sent.join('、')} 的群推送${text ? '' : '宣传提示'}。` : '没有推送出去。',
      ...(missing.length > 0 ? [`找不到这些村的微信群（助手不在群里或群名与配置不符）：${missing.join('、')}`] : []),
    ].join('\n')
  },
})
