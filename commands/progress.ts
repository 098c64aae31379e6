import { z } from 'zod'
import { PROGRESS_LOOKALIKES, PROGRESS_STATUSES, problemLine, STATUS, statusLine } from '../src/ledger/index.ts'
import { ArgumentError, NeedMore } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { applyProgress } from '../src/workflow/progress.ts'

export default defineCommand({
  name: '整改',
  aliases: ['进度'],
  summary: '报告整改进度（整改中 / 已完成）',
  usage: '/整改 村名 已完成　或　/整改 编号 整改中 说明',
  examples: ['/整改 卫华村 已完成', '/整改 12 已完成', '/整改 卫华村 12 整改中 已联系铲车，明天清运'],
  roles: ['admin', 'village', 'grid'],
  // "@助手 卫华村 已完成": a progress word alone is this command.
  impliedBy: [...PROGRESS_STATUSES, ...Object.keys(PROGRESS_LOOKALIKES)],
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
    // Named by village, the one open problem there is already read: no need to read it again.
    let current = id === undefined ? undefined : await ledger.find(id)
    if (!current) {
      const where = ctx.villageOrAsk(village)
      ctx.requireScope(where)
      const open = await ledger.openIn(where)
      if (open.length === 0) return `${where}目前没有未完成的整改问题。\n${statusLine(await ledger.countsOf(where))}`
      if (open.length > 1) {
        const list = open.slice(0, 15).map((p) => problemLine(p, ctx.now, false))
        if (open.length > 15) list.push(`……另有 ${open.length - 15} 条，发 /台账 ${where} 查看全部`)
        throw new NeedMore(`${where}有 ${open.length} 个未完成的问题，请回复要报「${status}」的编号：\n${list.join('\n')}`, true)
      }
      current = open[0]!
    }
    if (village && current.village !== village) throw new ArgumentError(`#${current.id} 是${current.village}的问题，不是${village}的。`)
    ctx.requireScope(current.village)
    const stillOpen = current.status === STATUS.todo || current.status === STATUS.doing
    // 整改中, and moves the ledger refuses (with its reason), need no photo.
    if (status !== STATUS.done || !stillOpen) return applyProgress(ctx.services, { problem: current, status, note, actor: ctx.actor, messageId: ctx.messageId })

    // 已完成: photos sent just before are its "after" photos; so are those sent next.
    const { photos, pairing, policy } = ctx.services
    const target = { problemId: current.id, kind: '整改后' as const }
    const by = { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }
    const { linked, reuseNotes } = await photos.link(await photos.unpaired(ctx.conversationId, ctx.actor.id, pairing.since), target, by)
    const hasPhoto = linked > 0 || (await photos.evidenceOf(current.id)).after > 0
    if (policy.completionNeedsPhoto && !hasPhoto) {
      await pairing.open(ctx.conversationId, ctx.actor.id, target, { status, note, messageId: ctx.messageId })
      return `收到。按乡里规定，报已完成需要整改后照片：请在 ${policy.photoWindowMinutes} 分钟内发送 #${current.id} 的整改后照片，收到后即改为已完成。`
    }
    await pairing.open(ctx.conversationId, ctx.actor.id, target)
    const reply = await applyProgress(ctx.services, { problem: current, status, note, actor: ctx.actor, messageId: ctx.messageId })
    const photoLines = [...(linked > 0 ? [`已附上整改后照片 ${linked} 张。`] : []), ...reuseNotes.map((n) => `⚠️ ${n}`)]
    return [...photoLines, reply].join('\n')
  },
})
