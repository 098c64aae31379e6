// How the bot is doing, for /状态 and for the notice after an outage: connected or not since
// when, how often it reconnected, and what it last took in and sent out.
import { statSync } from 'node:fs'
import type { Database } from '../db/index.ts'
import type { Clock } from '../time.ts'
import { latestBackup } from './backup.ts'

export class Health {
  readonly startedAt: Date
  private connected = false
  private since: Date
  private downSince: Date | undefined
  reconnects = 0

  constructor(private readonly clock: Clock) {
    this.startedAt = clock()
    this.since = this.startedAt
  }

  /** Logged in (again); returns how long it was down, when it was. */
  up(): { downSince: Date; downMs: number } | undefined {
    const now = this.clock()
    const was = this.downSince
    if (!this.connected && was) this.reconnects++
    this.connected = true
    this.since = now
    this.downSince = undefined
    return was ? { downSince: was, downMs: now.getTime() - was.getTime() } : undefined
  }

  /** Logged out, or the connection to WeChat broke. */
  down(): void {
    if (!this.connected && this.downSince) return
    this.connected = false
    this.since = this.clock()
    this.downSince = this.since
  }

  get state() {
    return { connected: this.connected, since: this.since, reconnects: this.reconnects }
  }
}

export interface StatusReport {
  startedAt: Date
  connected: boolean
  since: Date
  reconnects: number
  lastIn?: Date
  lastOut?: Date
  pending: number
  failed: number
  databaseBytes: number
  lastBackup?: Date
}

export async function statusReport(deps: {
  db: Database
  health: Health
  outboxStats: () => Promise<{ pending: number; failed: number }>
  /** The SQLite file; unset on PostgreSQL, which is asked for its size. */
  databaseFile: string | undefined
  backupDir: string
}): Promise<StatusReport> {
  const [lastIn, lastOut, queue] = await Promise.all([
    deps.db.inboxMessage.findFirst({ orderBy: { receivedAt: 'desc' }, select: { receivedAt: true } }),
    deps.db.outboxMessage.findFirst({ where: { status: 'sent' }, orderBy: { sentAt: 'desc' }, select: { sentAt: true } }),
    deps.outboxStats(),
  ])
  const size = (file: string) => {
    try {
      return statSync(file).size
    } catch {
      return 0
    }
  }
  return {
    startedAt: deps.health.startedAt,
    ...deps.health.state,
    lastIn: lastIn?.receivedAt,
    lastOut: lastOut?.sentAt ?? undefined,
    pending: queue.pending,
    failed: queue.failed,
    databaseBytes:
      deps.databaseFile === undefined
        ? Number((await deps.db.$queryRawUnsafe<{ n: bigint }[]>('SELECT pg_database_size(current_database()) AS n'))[0]?.n ?? 0)
        : size(deps.databaseFile) + size(`${deps.databaseFile}-wal`),
    lastBackup: latestBackup(deps.backupDir)?.at,
  }
}
