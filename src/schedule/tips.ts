// The propaganda tips library: the shipped file plus tips added by message. Each group gets
// the tip it has gone longest without, so nothing repeats until every tip has gone out.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { z } from 'zod'
import type { Database } from '../db/index.ts'
import type { Clock } from '../time.ts'

const tipsFileSchema = z.array(z.object({ topic: z.string().min(1), text: z.string().min(4) })).min(1)

export interface Tip {
  key: string
  text: string
}

const loaded = new Map<string, Tip[]>()

/** The shipped tips, read once per process. */
export function loadTipsFile(path: string): Tip[] {
  const known = loaded.get(path)
  if (known) return known
  const tips = readTips(path)
  loaded.set(path, tips)
  return tips
}

function readTips(path: string): Tip[] {
  const result = tipsFileSchema.safeParse(parse(readFileSync(path, 'utf8')))
  if (!result.success) throw new Error(`${path}: 宣传提示库格式有误：${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('；')}`)
  return result.data.map((tip, i) => ({ key: `lib:${i}`, text: tip.text }))
}

export class TipLibrary {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
    private readonly shipped: Tip[],
  ) {}

  async all(): Promise<Tip[]> {
    const added = await this.db.tip.findMany({ orderBy: { id: 'asc' } })
    return [...this.shipped, ...added.map((t) => ({ key: `db:${t.id}`, text: t.text }))]
  }

  async add(text: string, addedByName: string): Promise<Tip> {
    const tip = await this.db.tip.create({ data: { text, addedByName, createdAt: this.now() } })
    return { key: `db:${tip.id}`, text: tip.text }
  }

  /** The tip this group has gone longest without (never-sent ones first, in library order). */
  async next(conversationId: string): Promise<Tip> {
    const tips = await this.all()
    const sent = await this.db.tipSent.groupBy({ by: ['tipKey'], where: { conversationId }, _max: { sentAt: true } })
    const lastSent = new Map(sent.map((s) => [s.tipKey, s._max.sentAt?.getTime() ?? 0]))
    return tips.reduce((best, tip) => ((lastSent.get(tip.key) ?? -1) < (lastSent.get(best.key) ?? -1) ? tip : best))
  }

  /** The record that a tip went to a group (written with the post, in one transaction). */
  markSent(conversationId: string, tipKey: string) {
    return this.db.tipSent.create({ data: { conversationId, tipKey, sentAt: this.now() } })
  }
}
