// The commands that record a village's figures (清运, 协议, 物资, 宣传, 资金) read and answer
// alike: a village, then figures with units; the reply gives the record and the running totals.
import { z } from 'zod'
import { describe, type FigureValue } from '../../src/campaign/campaign.ts'
import type { RecordKind } from '../../src/campaign/figures.ts'
import { formatAmount, readQuantities, toFigures } from '../../src/campaign/quantity.ts'
import type { Role } from '../../src/config/schema.ts'
import { ArgumentError, type CommandDefinition } from '../../src/registry/index.ts'
import { defineCommand, type CommandContext } from '../../src/services.ts'

export interface FigureCommandSpec {
  kind: RecordKind
  name: string
  aliases: string[]
  summary: string
  usage: string
  examples: string[]
  roles: readonly Role[]
  icon: string
  /** Extra lines after the totals (a fund's balance). */
  extra?: (village: string, ctx: CommandContext) => Promise<string[]>
}

/** Reads the figures after the village; words that are not figures are an error that says which. */
export function readFigures(kind: RecordKind, words: readonly string[]): FigureValue[] {
  const { quantities, rest } = readQuantities(words)
  if (rest.length > 0) throw new ArgumentError(`没看懂「${rest.join(' ')}」。数量请写成「名称+数字+单位」，例如：垃圾12吨。`)
  return toFigures(kind, quantities)
}

export const amounts = (kind: RecordKind, figures: { figure: string; value: number; detail?: string | null }[]) => describe(kind, figures, formatAmount)

export function figureCommand(spec: FigureCommandSpec): CommandDefinition<{ village: string; figures: FigureValue[] }> {
  return defineCommand({
    ...spec,
    parse(args, ctx) {
      const village = ctx.villageOrAsk(args.village())
      const words = [...args.remaining]
      args.rest()
      return { village, figures: words.length > 0 ? readFigures(spec.kind, words) : undefined }
    },
    schema: z.object({
      village: z.string(),
      figures: z.array(z.custom<FigureValue>(), { error: `请写明数量，例如：${spec.examples[0]!.replace(/^\/\S+\s+\S+\s*/, '')}` }).min(1),
    }),
    async run({ village, figures }, ctx) {
      ctx.requireScope(village)
      const { campaign, township } = ctx.services
      const record = await campaign.record({ kind: spec.kind, village, figures }, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
      const villageTotals = await campaign.totals(spec.kind, { village })
      const townshipTotals = await campaign.totals(spec.kind)
      const asList = (totals: Map<string, number>) => amounts(spec.kind, [...totals].map(([figure, value]) => ({ figure, value })))
      return [
        `${spec.icon} 已记录 ${village}${spec.kind}（记录 ${record.id}）：${amounts(spec.kind, record.figures)}`,
        `${village}累计：${asList(villageTotals)}`,
        `${township.name}累计：${asList(townshipTotals)}`,
        ...(spec.extra ? await spec.extra(village, ctx) : []),
        `记错了可在 ${ctx.services.policy.undoMinutes} 分钟内发 /撤销。`,
      ].join('\n')
    },
  })
}
