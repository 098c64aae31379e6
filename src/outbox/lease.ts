// Several processes may run on one PostgreSQL database (for load, or a standby), logged into the
// same WeChat account. The outbox is sent by one of them at a time, the holder of the sending
// lease: so each message goes once, and pacing (which the holder keeps, seeded from the sent rows
// when it takes over) holds for the account as a whole. The holder renews the lease while it
// lives; when it dies, another takes the lease over once it has expired, and with it every pending
// row, including the one the dead process was sending (sent again: at least once, as after a
// restart).
//
// One lease for the whole outbox, not one per account: the rows do not say which account sends
// them, so two holders (two accounts) would both send every row.
import type { Database } from '../db/index.ts'
import { processId } from '../process-id.ts'
import type { Clock } from '../time.ts'

const LEASE = 'outbox'

export interface LeaseTimes {
  /** How long a lease (or an inbox claim) holds without renewal: a dead process's work waits this long. */
  ttlMs: number
  /** How often its holder renews it, and a process that does not hold it looks again. */
  renewMs: number
}

/** Lease times from one length: renewed three times within it, so a slow renewal does not lose it. */
export function leaseTimes(seconds: number): LeaseTimes {
  const ttlMs = Math.max(1, seconds) * 1000
  return { ttlMs, renewMs: Math.max(200, Math.floor(ttlMs / 3)) }
}

export class SendingLease {
  readonly holder: string
  readonly times: LeaseTimes
  private readonly db: Database
  private readonly clock: Clock
  private account = ''

  constructor(deps: { db: Database; clock: Clock; times: LeaseTimes; holder?: string }) {
    this.db = deps.db
    this.clock = deps.clock
    this.times = deps.times
    this.holder = deps.holder ?? processId()
  }

  /** The account this process is logged in as (known at login). */
  setAccount(account: string): void {
    this.account = account
  }

  /**
   * Takes the lease, or renews it when held: true when this process holds it until now + ttl.
   * Safe under Read Committed: a concurrent update of the row is waited for and the condition
   * read again on what it wrote, so two processes never both see true for an expired lease.
   * SQL, the same text on both providers: the holder renews before every delivery, and Prisma ran
   * its updateMany as a transaction of its own, compiled each time.
   */
  async hold(): Promise<boolean> {
    const now = this.clock()
    const expiresAt = new Date(now.getTime() + this.times.ttlMs)
    const count = await this.db.$executeRaw`
      UPDATE "SendingLease" SET "holder" = ${this.holder}, "account" = ${this.account}, "expiresAt" = ${expiresAt}
      WHERE "name" = ${LEASE} AND ("holder" = ${this.holder} OR "expiresAt" < ${now})`
    if (count === 1) return true
    try {
      await this.db.sendingLease.create({ data: { name: LEASE, holder: this.holder, account: this.account, expiresAt } })
      return true
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return false // someone else's, and alive
      throw error
    }
  }

  /** Gives the lease up (a clean stop), so another process need not wait for it to expire. */
  async release(): Promise<void> {
    await this.db.sendingLease.updateMany({ where: { name: LEASE, holder: this.holder }, data: { expiresAt: new Date(0) } })
  }
}
