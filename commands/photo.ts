import { z } from 'zod'
import { composeBeforeAfter, photosAddedText } from '../src/photos/index.ts'
import type { PhotoKind } from '../src/photos/index.ts'
import { STATUS } from '../src/ledger/index.ts'
import { CADRE_ROLES, SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand, type CommandContext } from '../src/services.ts'
import { formatDate } from '../src/time.ts'

const KINDS = ['整改前', '整改后'] as const

export default defineCommand({
  name: '照片',
  aliases: ['附照片', '看照片'],
  summary: '把刚发的照片归到某个问题；管理员、包村干部用它查看问题的整改前后对比图',
  usage: '/照片 编号 [整改前|整改后]',
  examples: ['/照片 12', '/照片 12 整改后'],
  roles: CADRE_ROLES,
  parse: (args) => ({ id: args.number(), kind: args.oneOf(KINDS), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明问题编号，例如 /照片 12' }).int().positive(),
    kind: z.enum(KINDS).optional(),
    extra: z.undefined({ error: '照片只需要写编号，可加「整改前」或「整改后」，例如 /照片 12 整改后' }),
  }),
  async run({ id, kind }, ctx) {
    const { ledger, photos, pairing } = ctx.services
    const problem = await ledger.find(id)
    const waiting = await photos.unpaired(ctx.conversationId, ctx.actor.id, pairing.since)
    if (waiting.length > 0) {
      ctx.requireScope(problem.village)
      const target = { problemId: id, kind: kind ?? (problem.status === STATUS.todo ? '整改前' : '整改后') } as const
      const { linked, repeated, reuseNotes } = await photos.link(waiting, target, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
      await pairing.open(ctx.conversationId, ctx.actor.id, target)
      return [`${photosAddedText(target, linked, repeated)}${linked > 0 ? '。' : ''}`, ...reuseNotes.map((n) => `⚠️ ${n}`)].join('\n')
    }
    if (!SUPERVISING_ROLES.includes(ctx.actor.role)) return `您最近 ${ctx.services.policy.photoWindowMinutes} 分钟内没有发过照片。请先发照片，再回复 /照片 ${id}。`
    return beforeAfter(id, ctx)
  },
})

/** The newest before and after photos side by side, with who took them and when. */
async function beforeAfter(id: number, ctx: CommandContext) {
  const { ledger, photos } = ctx.services
  const problem = await ledger.find(id)
  const evidence = await photos.evidenceOf(id)
  if (evidence.before + evidence.after === 0) return `#${id} 还没有照片。`
  const side = async (kind: PhotoKind) => {
    const link = await photos.newest({ problemId: id, kind })
    if (!link) return undefined
    const when = formatDate(link.photo.takenAt ?? link.photo.receivedAt)
    return { image: await photos.readNormalized(link.photo), caption: [`${kind} · ${when} ${link.photo.senderName}`] }
  }
  const picture = await composeBeforeAfter({
    title: `${problem.village} #${id} ${problem.description}`,
    before: await side('整改前'),
    after: await side('整改后'),
  })
  const lines = [`#${id} 整改前后对比（整改前 ${evidence.before} 张，整改后 ${evidence.after} 张），图片随后发送。`, ...evidence.reuseNotes.map((n) => `⚠️ ${n}`)]
  return { text: lines.join('\n'), file: { name: `问题${id}-整改前后.jpg`, data: picture } }
}
