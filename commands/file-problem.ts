import { z } from 'zod'
import { categoryOf, SOURCES, statusLine } from '../src/ledger/index.ts'
import { ArgumentError, CADRE_ROLES, defineCommand } from '../src/registry/index.ts'
import { endOfDate, endOfDayAfter, formatDate } from '../src/time.ts'

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 }

export default defineCommand({
  name: '问题',
  aliases: ['登记', '发现问题'],
  summary: '登记一条整改问题',
  usage: '/问题 村名 [自然屯] [第N网格] 问题描述 [限期N天 或 限期11月30日] [责任人某某]',
  examples: ['/问题 卫华村 三组路边垃圾堆放 限期5天', '/问题 渔业村 江边屯柴草垛占道 限期12月5日 责任人钱永福'],
  roles: CADRE_ROLES,
  parse(args, ctx) {
    const village = ctx.villageOrAsk(args.village())
    const days = args.match(/^限期:?(\d{1,3}|[一二两三四五六七八九十])天?$/)
    const date = args.match(/^限期:?(\d{1,2})[月.\/-](\d{1,2})日?$/)
    const loose = args.match(/^限期/)
    if (loose) throw new ArgumentError(`没看懂「${loose.input}」。限期请写成「限期5天」或「限期11月30日」。`)
    const deadline = days
      ? endOfDayAfter(ctx.now, Number(days[1]) || CHINESE_DIGITS[days[1]!]!)
      : date
        ? endOfDate(ctx.now, Number(date[1]), Number(date[2]))
        : endOfDayAfter(ctx.now, ctx.services.policy.defaultDeadlineDays)
    const responsible = args.match(/^责任人:?(.+)$/)?.[1]
    const { township } = ctx.services
    const gridWord = args.match(/^(?:.*村)?(第\d+网格)$/)?.[1]
    const grid = gridWord ? `${village}${gridWord}` : township.gridOfPerson(village, ctx.actor.name)
    if (grid && !township.gridsOf(village).includes(grid)) throw new ArgumentError(`${village}没有「${gridWord}」。`)
    return {
      village,
      grid,
      hamlet: args.oneOf(township.hamletsOf(village)),
      source: args.oneOf(SOURCES) ?? (ctx.actor.role === 'supervisor' || ctx.actor.role === 'duty' ? '督导' : '巡查'),
      deadline,
      responsibleName: responsible ?? township.secretaryOf(village),
      description: args.rest(),
    }
  },
  schema: z.object({
    village: z.string(),
    hamlet: z.string().optional(),
    grid: z.string().optional(),
    source: z.enum(SOURCES),
    deadline: z.date().refine((d) => !Number.isNaN(d.getTime()), '限期的日期不对，请写成「限期11月30日」'),
    responsibleName: z.string().optional(),
    description: z.string({ error: '请写明问题是什么，例如：三组路边垃圾堆放' }).min(2, '问题描述太短，请写清是什么问题、在哪里'),
  }),
  async run(input, ctx) {
    ctx.requireScope(input.village)
    const { ledger } = ctx.services
    const { problem, similar } = await ledger.file(
      { ...input, category: categoryOf(input.description) },
      { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId },
    )
    const lines = [
      `📝 已登记 #${problem.id} ${[problem.village, problem.hamlet, problem.grid].filter(Boolean).join(' ')}：${problem.description}`,
      `类别：${problem.category}　来源：${problem.source}　限期：${formatDate(problem.deadline!)}　责任人：${problem.responsibleName ?? '未指定'}`,
    ]
    if (similar) lines.push(`⚠️ 疑似与 #${similar.id} 重复：${similar.description}（${similar.status}）`)
    lines.push(statusLine(await ledger.countsOf(problem.village)))
    return lines.join('\n')
  },
})
