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
    const window = this.recent.filter((s) => s.at > now - MINUTE)
    if (window.length >= p.perMinute) {
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
    if (this.recent.some((s) => s.at === at && s.conversationId === conversationId)) return
    if ((this.lastByConversation.get(conversationId) ?? -Infinity) < at) this.lastByConversation.set(conversationId, at)
    if (!this.last || this.last.at <= at) this.last = { at, conversationId }
    this.recent.push({ at, conversationId })
    this.recent.sort((a, b) => a.at - b.at)
    // Only the latest perMinute sends within a minute of the newest can hold the next one back.
    const newest = this.recent[this.recent.length - 1]!.at
    const kept = this.recent.findIndex((s) => s.at > newest - MINUTE)
    this.recent.splice(0, Math.max(kept === -1 ? this.recent.length : kept, this.recent.length - this.pacing.perMinute))
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
