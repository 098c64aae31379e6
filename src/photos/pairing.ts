// WeChat sends a picture and its words as separate messages. A command that wants photos
// opens a window: the sender's next photos in that conversation, for a few minutes, belong
// to it. A held status change (已完成 where policy asks for a photo) waits in the window.
import type { Database } from '../db/index.ts'
import type { Clock } from '../time.ts'
import type { EvidenceTarget } from './library.ts'

export interface HeldChange {
  status: string
  note?: string
  messageId: string
}

export interface Window {
  target: EvidenceTarget
  held?: HeldChange
  expiresAt: Date
}

export class PhotoPairing {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
    private readonly minutes: number,
  ) {}

  /** When photos sent before a command still count for it. */
  get since(): Date {
    return new Date(this.now().getTime() - this.minutes * 60_000)
  }

  async open(conversationId: string, talkerId: string, target: EvidenceTarget, held?: HeldChange): Promise<void> {
    const key = { conversationId, talkerId }
    const data = {
      problemId: target.problemId ?? null,
      reportId: target.reportId ?? null,
      recordId: target.recordId ?? null,
      kind: target.kind,
      heldStatus: held?.status ?? null,
      heldNote: held?.note ?? null,
      heldMessageId: held?.messageId ?? null,
      expiresAt: new Date(this.now().getTime() + this.minutes * 60_000),
    }
    await this.db.photoWindow.upsert({ where: { conversationId_talkerId: key }, create: { ...key, ...data }, update: data })
  }

  async active(conversationId: string, talkerId: string): Promise<Window | undefined> {
    const row = await this.db.photoWindow.findUnique({ where: { conversationId_talkerId: { conversationId, talkerId } } })
    if (!row || row.expiresAt <= this.now()) return undefined
    return toWindow(row)
  }

  /** The held change is done (its photo came): later photos still join the same target. */
  async release(conversationId: string, talkerId: string): Promise<void> {
    await this.db.photoWindow.updateMany({ where: { conversationId, talkerId }, data: { heldStatus: null, heldNote: null, heldMessageId: null } })
  }

  async close(conversationId: string, talkerId: string): Promise<void> {
    await this.db.photoWindow.deleteMany({ where: { conversationId, talkerId } })
  }

  /** Windows past their time: held changes among them get a reminder, then all are dropped. */
  async sweepExpired(): Promise<(Window & { conversationId: string; talkerId: string })[]> {
    const now = this.now()
    const rows = await this.db.photoWindow.findMany({ where: { expiresAt: { lte: now } } })
    // Each one deleted on its own: a window another process swept meanwhile is its to remind about, not ours.
    const swept = []
    for (const row of rows) {
      const { count } = await this.db.photoWindow.deleteMany({ where: { conversationId: row.conversationId, talkerId: row.talkerId, expiresAt: { lte: now } } })
      if (count === 1) swept.push(row)
    }
    return swept.map((row) => ({ ...toWindow(row), conversationId: row.conversationId, talkerId: row.talkerId }))
  }
}

function toWindow(row: {
  problemId: number | null
  reportId: number | null
  recordId: number | null
  kind: string
  heldStatus: string | null
  heldNote: string | null
  heldMessageId: string | null
  expiresAt: Date
}): Window {
  return {
    target: { problemId: row.problemId ?? undefined, reportId: row.reportId ?? undefined, recordId: row.recordId ?? undefined, kind: row.kind as EvidenceTarget['kind'] },
    held: row.heldStatus ? { status: row.heldStatus, note: row.heldNote ?? undefined, messageId: row.heldMessageId ?? '' } : undefined,
    expiresAt: row.expiresAt,
  }
}
