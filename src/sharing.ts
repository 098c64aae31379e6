// Several processes on one PostgreSQL database (for load, or a standby), possibly logged into the
// same WeChat account: what each needs to share the work. One name for this process, on its
// sending lease and its message claims; the lease times; and a lock that lets one process at a
// time handle a conversation. (SQLite has one process per file and needs none of it.)
import type { Database } from './db/index.ts'
import { leaseTimes, SendingLease } from './outbox/lease.ts'
import { processId } from './process-id.ts'
import type { SharedInbox } from './registry/index.ts'
import type { Clock } from './time.ts'

export interface Sharing {
  lease: SendingLease
  /** How often the sender reads the pending rows again (others' replies wait at most this long). */
  pollMs: number
  inbox: SharedInbox
  /** Held until the transaction ends: processes starting at once seed the config's people one after the other. */
  lockRoster(tx: Database): Promise<void>
}

/**
 * `seconds`: how long a dead process's sending and messages wait before another takes them
 * (default 30). `account`: the sending lease of a bot account several townships share, kept by
 * its first township (its database, and one holder name for the townships of this process).
 */
export function sharing(db: Database, clock: Clock, seconds = 30, account?: { leaseDb: Database; holder: string }): Sharing {
  const holder = account?.holder ?? processId()
  const times = leaseTimes(seconds)
  return {
    lease: new SendingLease({ db: account?.leaseDb ?? db, clock, times, holder }),
    pollMs: Math.min(1000, times.renewMs),
    inbox: {
      holder,
      ttlMs: times.ttlMs,
      renewMs: times.renewMs,
      // Held until the message's transaction ends: one conversation is handled by one process at a time.
      lockConversation: async (tx, conversationId) => void (await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${conversationId}))`),
    },
    lockRoster: async (tx) => void (await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'renju: seeding the roster'}))`),
  }
}
