// How fast one WeChat account may speak, like a careful person: a pause within a group, a longer
// random one when switching groups, at most so many a minute. One Pacer per bot account: the
// townships of a county that share an account each have their own outbox, and all of them take
// their turns from the account's one Pacer, so together they keep the account's limits.
//
// A send is taken (begin) and given back (end) in one synchronous step each: between them no
// other outbox on the account may send, as a person sends one message at a time. Every try counts,
// failed ones too (they may have reached WeChat).
//
// Unpaced (no gap within or between groups: the sandbox's demo, tests, a benchmark), there is no person
// to imitate: up to PARALLEL_UNPACED sends go at once, to different conversations only (so one
// conversation's messages keep their order), and perMinute counts the sends under way too.
import type { TownshipConfig } from '../config/schema.ts'

export type Pacing = TownshipConfig['pacing']

const MINUTE = 60_000
/** Unpaced, at most this many sends at once: a backlog after a reconnect must not flood the WeChat service. */
export const PARALLEL_UNPACED = 8

interface Sent {
  at: number
  conversationId: string
}

export class Pacer {
  readonly pacing: Pacing
  private readonly random: () => number
  private readonly lastByConversation = new Map<string, number>()
  private last: Sent | undefined
  /** The latest sends within a minute, at most perMinute of them, oldest first. */
  private recent: Sent[] = []
  /** The gap before a message to another conversation than the last one; drawn once per send. */
  private switchGapMs = 0
  /** The conversations a send is under way to (at most one each). */
  private readonly sending = new Set<string>()
  private readonly listeners = new Set<() => void>()

  constructor(pacing: Pacing, random: () => number = Math.random) {
    this.pacing = pacing
    this.random = random
  }

  /** No gap within or between groups: sends may overlap (see the top). Read at each send, as the sandbox changes it. */
  get unpaced(): boolean {
    const p = this.pacing
    return p.sameGroupSeconds === 0 && p.switchGroupMinSeconds === 0 && p.switchGroupMaxSeconds === 0
  }

  /**
   * The earliest time a message to `conversationId` may go; Infinity while a send is under way that
   * it must wait for (any send when paced; unpaced, one to the same conversation, or too many).
   */
  at(conversationId: string, now: number): number {
    const p = this.pacing
    if (this.sending.size > 0) {
      if (!this.unpaced || this.sending.has(conversationId) || this.sending.size >= PARALLEL_UNPACED) return Infinity
      // The sends under way count as made now; the one that ends wakes the waiting.
      if (this.recent.length + this.sending.size >= p.perMinute && this.recent.filter((s) => s.at > now - MINUTE).length + this.sending.size >= p.perMinute) return Infinity
    }
    let at = -Infinity
    const lastHere = this.lastByConversation.get(conversationId)
    // min(…, now): a clock stepped backwards must not make the bot wait for hours.
    if (lastHere !== undefined) at = Math.max(at, Math.min(lastHere, now) + p.sameGroupSeconds * 1000)
    if (this.last) {
      const gap = this.last.conversationId === conversationId ? 0 : this.switchGapMs
      at = Math.max(at, Math.min(this.last.at, now) + gap)
    }
    if (this.recent.length >= p.perMinute) {
      const window = this.recent.filter((s) => s.at > now - MINUTE)
      // The perMinute-th latest send must have left the 60 s window.
      const t = window[window.length - p.perMinute]
      if (t) at = Math.max(at, Math.min(t.at, now) + MINUTE)
    }
    return at
  }

  /** Takes the account's turn to send to `conversationId` now: false when pacing says not yet. */
  begin(conversationId: string, now: number): boolean {
    if (this.at(conversationId, now) > now) return false
    this.sending.add(conversationId)
    return true
  }

  /** The send begun has ended (sent or failed) at `at`: it counts from then, and the others are woken. */
  end(conversationId: string, at: number): void {
    this.sending.delete(conversationId)
    this.remember(conversationId, at)
    for (const wake of this.listeners) wake()
  }

  /**
   * A send that happened (from the sent rows, after a restart or a lease taken over). Told twice
   * of the same send (the same time and conversation), it counts it once.
   */
  remember(conversationId: string, at: number): void {
    // Kept in time order; a send is nearly always the newest, so it goes at the end.
    let i = this.recent.length
    while (i > 0 && this.recent[i - 1]!.at > at) i--
    for (let j = i - 1; j >= 0 && this.recent[j]!.at === at; j--) if (this.recent[j]!.conversationId === conversationId) return
    this.recent.splice(i, 0, { at, conversationId })
    if ((this.lastByConversation.get(conversationId) ?? -Infinity) < at) this.lastByConversation.set(conversationId, at)
    if (!this.last || this.last.at <= at) this.last = { at, conversationId }
    // Only the latest perMinute sends within a minute of the newest can hold the next one back.
    const newest = this.recent[this.recent.length - 1]!.at
    while (this.recent.length > this.pacing.perMinute || this.recent[0]!.at <= newest - MINUTE) this.recent.shift()
    const min = this.pacing.switchGroupMinSeconds * 1000
    const max = Math.max(min, this.pacing.switchGroupMaxSeconds * 1000)
    this.switchGapMs = min + this.random() * (max - min)
  }

  /** `wake` is called after each send ends (another outbox on the account may go then); returns the way to stop. */
  listen(wake: () => void): () => void {
    this.listeners.add(wake)
    return () => void this.listeners.delete(wake)
  }
}
