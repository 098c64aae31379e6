// Several townships of a county served by one bot account: each message, and each group the
// account is in, belongs to exactly one of them; and they speak at the account's one pace.
import type { Township } from '../config/township.ts'
import type { Database } from '../db/index.ts'
import { Pacer, type Pacing } from '../outbox/pacer.ts'
import { processId } from '../process-id.ts'

/** What is known of a message on arrival, before anything is asked of WeChat. */
export interface ArrivalPlace {
  conversationId: string
  inRoom: boolean
  talkerId: string
  text: string
}

/**
 * The townships on one account, in the county config's order (each takes its seat once its
 * roster is loaded). A bound group belongs to the township that bound it; a group a township's
 * config names, to that township; a private chat, to the first township that knows the sender.
 * What is left goes to the first township, except a `/绑定 村名` naming another township's
 * village, which goes to that township.
 */
export class AccountShare {
  /** The account's pace, kept by every township's outbox on it (the first township's pacing settings). */
  readonly pacer: Pacer
  /** This process's name on the account's sending lease, the same for each of its townships. */
  readonly holder = processId()
  private readonly seats: (Township | undefined)[]
  private readonly firstDatabase: Promise<Database>
  private openedFirst!: (db: Database) => void

  constructor(size: number, pacing: Pacing) {
    this.seats = new Array<Township | undefined>(size).fill(undefined)
    this.pacer = new Pacer(pacing)
    this.firstDatabase = new Promise((resolve) => (this.openedFirst = resolve))
  }

  /**
   * Where the account's sending lease is kept (PostgreSQL, several processes): in the first
   * township's database, for all its townships. So one process at a time sends for the whole
   * account, and the account's pace holds across processes. Seat 0 gives its database; the
   * others wait for it.
   */
  leaseDatabase(seat: number, own: Database): Promise<Database> {
    if (seat === 0) this.openedFirst(own)
    return this.firstDatabase
  }

  seat(index: number, township: Township): void {
    this.seats[index] = township
  }

  /**
   * Whether a message (or, with its topic, a group) belongs to `township`; undefined when that
   * turns on the name of a group no township has bound yet, and no topic was given (the group's
   * binding is still being made at login, or it is new): then ask again with its topic.
   */
  owns(township: Township, place: ArrivalPlace, topic?: string): boolean | undefined {
    const owner = this.ownerOf(place, topic)
    return owner === undefined ? undefined : owner === township
  }

  ownerOf(place: ArrivalPlace, topic?: string): Township | undefined {
    const townships = this.seats.filter((t): t is Township => t !== undefined)
    if (!place.inRoom) return townships.find((t) => t.person(place.talkerId)) ?? townships[0]
    const bound = townships.find((t) => t.groupFor(place.conversationId))
    if (bound) return bound
    if (topic === undefined) return undefined
    const named = townships.find((t) => t.configGroupWithTopic(topic))
    if (named) return named
    const village = /^[/／]?绑定\s*(\S+)/.exec(place.text.trim())?.[1]
    const owner = village ? townships.find((t) => t.matchVillage(village).kind === 'found') : undefined
    return owner ?? townships[0]
  }
}
