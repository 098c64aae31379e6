// Flood control: per sender and per group, a sliding minute. Over the limit, the sender hears
// once that they are going too fast; after that the bot stays silent until the minute has passed.
export type Verdict = 'ok' | 'warn' | 'silent'

export class RateLimiter {
  private readonly hits = new Map<string, number[]>()
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
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < 60_000)
    if (recent.length > 0) this.hits.set(key, recent)
    else this.hits.delete(key)
    return recent.length
  }

  private record(key: string, now: number): void {
    const list = this.hits.get(key) ?? []
    list.push(now)
    this.hits.set(key, list)
  }
}
