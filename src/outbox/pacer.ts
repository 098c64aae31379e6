// How fast one WeChat account may speak, like a careful person: a pause within a group, a longer
// random one when switching groups, at most so many a minute. One Pacer per bot account: the
// townships of a county that share an account each have their own outbox, and all of them take
// their turns from the account's one Pacer, so together they keep the account's limits.
//
// A send is taken (begin) and given back (end) in one synchronous step each: between them no
// other outbox on the account may send, as a person sends one message at a time. Every try counts,
// failed ones too (they may have reached WeChat).
import type { TownshipConfig } from '../config/schema.ts'

export type Pacing = TownshipConfig['pacing']

const MINUTE = 60_000

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
  private sending = false
  private readonly listeners = new Set<() => void>()

  constructor(pacing: Pacing, random: () => number = Math.random) {
    this.pacing = pacing
    this.random = random
  }

  /** The earliest time a message to `conversationId` may go; Infinity while another send is under way. */
  at(conversationId: string, now: number): number {
    if (this.sending) return Infinity
    const p = this.pacing
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
    this.sending = true
    return true
  }

  /** The send begun has ended (sent or failed) at `at`: it counts from then, and the others are woken. */
  end(conversationId: string, at: number): void {
    this.sending = false
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
