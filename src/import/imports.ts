// Imports by message: the .xlsx an admin sent, the preview of what it would change, and the
// plan /确认导入 applies — once, within the hour.
import type { Database } from '../db/index.ts'
import type { Clock } from '../time.ts'

export const IMPORT_EXPIRES_MINUTES = 60

export type ImportKind = '人员' | '台账'

export class Imports {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async keep(received: { messageId: string; conversationId: string; talkerId: string; file: { name: string; data: Buffer } }): Promise<void> {
    const { messageId, conversationId, talkerId, file } = received
    await this.db.receivedFile.create({ data: { messageId, conversationId, talkerId, name: file.name, data: new Uint8Array(file.data), receivedAt: this.clock() } })
  }

  /** The sender's latest .xlsx in this conversation, within the hour. */
  async latestFile(conversationId: string, talkerId: string): Promise<{ name: string; data: Buffer } | undefined> {
    const since = new Date(this.clock().getTime() - IMPORT_EXPIRES_MINUTES * 60_000)
    const row = await this.db.receivedFile.findFirst({ where: { conversationId, talkerId, receivedAt: { gte: since } }, orderBy: { receivedAt: 'desc' } })
    return row ? { name: row.name, data: Buffer.from(row.data) } : undefined
  }

  /** Keeps a previewed plan for /确认导入; an earlier unconfirmed one of the sender is dropped. */
  async propose<P>(kind: ImportKind, conversationId: string, talkerId: string, fileName: string, plan: P): Promise<void> {
    const now = this.clock()
    await this.db.pendingImport.deleteMany({ where: { conversationId, talkerId, appliedAt: null } })
    await this.db.pendingImport.create({
      data: { kind, conversationId, talkerId, fileName, plan: JSON.stringify(plan), createdAt: now, expiresAt: new Date(now.getTime() + IMPORT_EXPIRES_MINUTES * 60_000) },
    })
  }

  /**
   * The sender's import waiting for /确认导入, marked applied (the caller applies it in the same
   * transaction); 'applied' when the latest was applied already, 'expired', or undefined.
   */
  async take(conversationId: string, talkerId: string): Promise<{ kind: ImportKind; fileName: string; plan: unknown } | 'applied' | 'expired' | undefined> {
    const latest = await this.db.pendingImport.findFirst({ where: { conversationId, talkerId }, orderBy: { id: 'desc' } })
    if (!latest) return undefined
    if (latest.appliedAt) return 'applied'
    const now = this.clock()
    if (latest.expiresAt <= now) return 'expired'
    await this.db.pendingImport.update({ where: { id: latest.id }, data: { appliedAt: now } })
    return { kind: latest.kind as ImportKind, fileName: latest.fileName, plan: JSON.parse(latest.plan) as unknown }
  }
}
