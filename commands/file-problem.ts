import { z } from 'zod'
import { categoryOf, SOURCES, statusLine } from '../src/ledger/index.ts'
import { ArgumentError, CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { endOfDayAfter, formatDate } from '../src/time.ts'

export default defineCommand({
  name: '问题',
  aliases: ['登记', '发现问题'],
  summary: '登记一条整改问题',
  usage: '/问题 村名 [自然屯] [第N网格] 问题描述 [限期15天、两周、一个月、12月5日或下周五] [责任人某某]',
  examples: ['/问题 卫华村 三组路边垃圾堆放 限期5天', '/问题 渔业村 江边屯柴草垛占道 限期12月5日 责任人钱永福'],
  roles: CADRE_ROLES,
  parse(args, ctx) {
    const village = ctx.villageOrAsk(args.village())
    const deadline = args.deadline(ctx.now) ?? endOfDayAfter(ctx.now, ctx.services.policy.defaultDeadlineDays)
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
    deadline: z.date(),
    responsibleName: z.string().optional(),
    description: z.string({ error: '请写明问题是什么，例如：三组路边垃圾堆放' }).min(2, '问题描述太短，请写清是什么问题、在哪里'),
  }),
  async run(input, ctx) {
    ctx.requireScope(input.village)
    const { ledger, photos, pairing } = ctx.services
    const { problem, similar } = await ledger.file(
      { ...input, category: categoryOf(input.description) },
      { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId },
    )
    const lines = [
      `📝 已登记 #${problem.id} ${[problem.village, problem.hamlet, problem.grid].filter(Boolean).join(' ')}：${problem.description}`,
      `类别：${problem.category}　来源：${problem.source}　限期：${formatDate(problem.deadline!)}　责任人：${problem.responsibleName ?? '未指定'}`,
    ]
    const inspection = await ctx.services.campaign.recentInspection(ctx.actor.id, problem.village, ctx.services.policy.sittingMinutes)
    if (inspection) {
      await ctx.services.campaign.linkProblems(inspection.id, [problem.id])
      lines.push(`已记为巡查（记录 ${inspection.id}）发现的问题。`)
    }
    if (similar) lines.push(`⚠️ 疑似与 #${similar.id} 重复：${similar.description}（${similar.status}）`)
    // Photos sent just before the command are its "before" photos; so are those sent next.
    const target = { problemId: problem.id, kind: '整改前' as const }
    const earlier = await photos.unpaired(ctx.conversationId, ctx.actor.id, pairing.since)
    const { linked, reuseNotes } = await photos.link(earlier, target, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    await pairing.open(ctx.conversationId, ctx.actor.id, target)
    lines.push(linked > 0 ? `已附上整改前照片 ${linked} 张。` : `请接着发送现场照片（${ctx.services.policy.photoWindowMinutes} 分钟内），会作为整改前照片。`)
    lines.push(...reuseNotes.map((n) => `⚠️ ${n}`))
    lines.push(statusLine(await ledger.countsOf(problem.village)))
    return lines.join('\n')
  },
})
