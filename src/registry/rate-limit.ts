// Flood control: per sender and per group, a sliding minute. Over the limit, the sender hears
// once that they are going too fast; after that the bot stays silent until the minute has passed.
export type Verdict = 'ok' | 'warn' | 'silent'

const MINUTE_MS = 60_000

/**
 * One key's times within the last minute, in the order they came. Expired times leave from the
 * front, so a check costs what expired since the last one, not the whole minute: a backlog of
 * hundreds of messages after a reconnect, or a group with no limit, stays cheap. Times come from
 * the township clock; were it set back, times from before that would leave up to that much later.
 */
class SlidingMinute {
  private times: number[] = []
  private first = 0

  count(now: number): number {
    while (this.first < this.times.length && now - this.times[this.first]! >= MINUTE_MS) this.first++
    // Give the expired front back to the memory once it is most of the array.
    if (this.first > 64 && this.first * 2 > this.times.length) {
      this.times = this.times.slice(this.first)
      this.first = 0
    }
    return this.times.length - this.first
  }

  add(now: number): void {
    this.times.push(now)
  }
}

export class RateLimiter {
  private readonly minutes = new Map<string, SlidingMinute>()
  private readonly warned = new Set<string>()

  constructor(private readonly limits: { perSenderPerMinute: number; perGroupPerMinute: number }) {}

  check(conversationId: string, talkerId: string, now: number): Verdict {
    const sender = `s|${conversationId}|${talkerId}`
    const group = `g|${conversationId}`
    const over = this.count(sender, now) >= this.limits.perSenderPerMinute || this.count(group, now) >= this.limits.perGroupPerMinute
    if (over) {
      if (this.warned.has(sender)) return 'silent'
      this.warned.add(sender)
      return 'warn'
    }
    this.warned.delete(sender)
    this.record(sender, now)
    this.record(group, now)
    return 'ok'
  }

  private count(key: string, now: number): number {
    const minute = this.minutes.get(key)
    if (!minute) return 0
    const n = minute.count(now)
    if (n === 0) this.minutes.delete(key)
    return n
  }

  private record(key: string, now: number): void {
    let minute = this.minutes.get(key)
    if (!minute) this.minutes.set(key, (minute = new SlidingMinute()))
    minute.add(now)
  }
}
