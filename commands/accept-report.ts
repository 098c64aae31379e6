import { z } from 'zod'
import { categoryOf, statusLine } from '../src/ledger/index.ts'
import { CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { REPORT_STATUS } from '../src/reports/reports.ts'
import { endOfDayAfter, formatDate } from '../src/time.ts'

export default defineCommand({
  name: '受理',
  aliases: [],
  summary: '把村民的随手拍登记进整改台账',
  usage: '/受理 R编号 [限期15天、两周或12月5日]',
  examples: ['/受理 R3', '/受理 R3 限期3天'],
  roles: CADRE_ROLES,
  parse: (args, ctx) => ({ id: args.reportNumber(), deadline: args.deadline(ctx.now), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明随手拍编号，例如 /受理 R3' }).int().positive(),
    deadline: z.date().optional(),
    extra: z.undefined({ error: '受理只需要写编号，可加限期，例如 /受理 R3 限期3天' }),
  }),
  async run({ id, deadline }, ctx) {
    const { reports, ledger, photos, township, notify, policy } = ctx.services
    const report = await reports.get(id)
    ctx.requireScope(report.village)
    if (report.status !== REPORT_STATUS.waiting) return `随手拍 R${id} 目前是「${report.status}」，不用再受理。`
    const { problem } = await ledger.file(
      {
        village: report.village,
        category: categoryOf(report.description),
        description: report.description,
        source: '群众反映',
        deadline: deadline ?? endOfDayAfter(ctx.now, policy.defaultDeadlineDays),
        responsibleName: township.secretaryOf(report.village),
      },
      { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId },
    )
    const reportPhotos = (await photos.linksOf(id)).map((l) => l.photo)
    await photos.link(reportPhotos, { problemId: problem.id, kind: '整改前' }, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }, { checkReuse: false })
    await reports.decide(id, [REPORT_STATUS.waiting], { status: REPORT_STATUS.accepted, problemId: problem.id, decidedByName: ctx.actor.name })
    const terms = `限期${formatDate(problem.deadline!)}，责任人 ${problem.responsibleName ?? '未指定'}`
    await notify.send(report.conversationId, `您反映的问题（随手拍 R${id}）已受理，登记为 #${problem.id}，${terms}。整改完成后会告诉您。`, [report.reporterId])
    return [`📝 已受理随手拍 R${id}，登记为 #${problem.id} ${problem.village}：${problem.description}`, `来源：群众反映　${terms}　照片 ${reportPhotos.length} 张`, statusLine(await ledger.countsOf(problem.village))].join('\n')
  },
})
