import { z } from 'zod'
import { PROGRESS_LOOKALIKES, PROGRESS_STATUSES, problemLine, statusLine } from '../src/ledger/index.ts'
import { ArgumentError, defineCommand, NeedMore } from '../src/registry/index.ts'

export default defineCommand({
  name: '整改',
  aliases: ['进度'],
  summary: '报告整改进度（整改中 / 已完成）',
  usage: '/整改 村名 已完成　或　/整改 编号 整改中 说明',
  examples: ['/整改 卫华村 已完成', '/整改 12 已完成', '/整改 卫华村 12 整改中 已联系铲车，明天清运'],
  roles: ['admin', 'village', 'grid'],
  parse(args) {
    const village = args.village()
    const id = args.number(PROGRESS_STATUSES)
    const status = args.oneOf(PROGRESS_STATUSES)
    const leftover = args.remaining
    if (!status && leftover.length > 0) {
      const word = leftover[0]!
      const meant = PROGRESS_LOOKALIKES[word]
      throw new ArgumentError(meant ? `没看懂「${word}」。您是说「${meant}」吗？` : `没看懂「${word}」。整改状态请写「整改中」或「已完成」。`)
    }
    return { village, id, status, note: args.rest() }
  },
  schema: z.object({
    village: z.string().optional(),
    id: z.number().int().positive().optional(),
    status: z.enum(PROGRESS_STATUSES, { error: '请写明整改状态：整改中 或 已完成' }),
    note: z.string().max(200, '说明请不超过 200 字').optional(),
  }),
  async run({ village, id, status, note }, ctx) {
    const { ledger } = ctx.services
    let problemId = id
    if (problemId === undefined) {
      const where = ctx.villageOrAsk(village)
      ctx.requireScope(where)
      const open = await ledger.openIn(where)
      if (open.length === 0) return `${where}目前没有未完成的整改问题。\n${statusLine(await ledger.countsOf(where))}`
      if (open.length > 1) {
        const list = open.slice(0, 15).map((p) => problemLine(p, ctx.now, false))
        if (open.length > 15) list.push(`……另有 ${open.length - 15} 条，发 /台账 ${where} 查看全部`)
        throw new NeedMore(`${where}有 ${open.length} 个未完成的问题，请回复要报「${status}」的编号：\n${list.join('\n')}`, true)
      }
      problemId = open[0]!.id
    }
    const current = await ledger.find(problemId)
    if (village && current.village !== village) throw new ArgumentError(`#${problemId} 是${current.village}的问题，不是${village}的。`)
    ctx.requireScope(current.village)
    const { problem, from } = await ledger.progress(problemId, status, note, { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId })
    const lines = [`✅ #${problem.id} ${problem.village} ${problem.description}：${from} → ${problem.status}`]
    if (note) lines.push(`说明：${note}`)
    if (problem.status === '已完成') {
      const supervisors = ctx.services.township.supervisorsOf(problem.village)
      lines.push(`请包村干部${supervisors.length > 0 ? ` ${supervisors.join('、')} ` : ''}核实后销号（/销号 ${problem.id}）。`)
    }
    lines.push(statusLine(await ledger.countsOf(problem.village)))
    return lines.join('\n')
  },
})
