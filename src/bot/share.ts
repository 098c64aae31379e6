// Several townships of a county served by one bot account: each message, and each group the
// account is in, belongs to exactly one of them.
import type { Township } from '../config/township.ts'

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
  private readonly seats: (Township | undefined)[]

  constructor(size: number) {
    this.seats = new Array<Township | undefined>(size).fill(undefined)
  }

  seat(index: number, township: Township): void {
    this.seats[index] = township
  }

  /** Whether a message (or, with its topic, a group) belongs to `township`. */
  owns(township: Township, place: ArrivalPlace, topic?: string): boolean {
    return this.ownerOf(place, topic) === township
  }

  ownerOf(place: ArrivalPlace, topic?: string): Township | undefined {
    const townships = this.seats.filter((t): t is Township => t !== undefined)
    if (!place.inRoom) return townships.find((t) => t.person(place.talkerId)) ?? townships[0]
    const bound = townships.find((t) => t.groupFor(place.conversationId))
    if (bound) return bound
    const named = topic === undefined ? undefined : townships.find((t) => t.configGroupWithTopic(topic))
    if (named) return named
    const village = /^[/／]?绑定\s*(\S+)/.exec(place.text.trim())?.[1]
    const owner = village ? townships.find((t) => t.matchVillage(village).kind === 'found') : undefined
    return owner ?? townships[0]
  }
}
