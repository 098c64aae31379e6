import { describe, expect, it } from 'vitest'
import { RateLimiter, type Verdict } from '../../src/registry/rate-limit.ts'

/** The rule as the limiter states it, recounted from every check ever made (no shortcuts). */
function recountingLimiter(limits: { perSenderPerMinute: number; perGroupPerMinute: number }) {
  const accepted: Array<{ group: string; sender: string; at: number }> = []
  const warned = new Set<string>()
  return (group: string, sender: string, now: number): Verdict => {
    const recent = accepted.filter((a) => now - a.at < 60_000)
    const over = recent.filter((a) => a.group === group && a.sender === sender).length >= limits.perSenderPerMinute || recent.filter((a) => a.group === group).length >= limits.perGroupPerMinute
    const key = `${group}|${sender}`
    if (over) {
      if (warned.has(key)) return 'silent'
      warned.add(key)
      return 'warn'
    }
    warned.delete(key)
    accepted.push({ group, sender, at: now })
    return 'ok'
  }
}

describe('the flood limits', () => {
  it('give the same verdicts as a recount of the last minute, over 5,000 commands in bursts and pauses', () => {
    const limits = { perSenderPerMinute: 5, perGroupPerMinute: 12 }
    const limiter = new RateLimiter(limits)
    const recount = recountingLimiter(limits)
    let seed = 7
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    let now = Date.UTC(2026, 11, 3)
    const verdicts = new Map<Verdict, number>()
    for (let i = 0; i < 5000; i++) {
      // mostly bursts a second or two apart, now and then a pause longer than the minute
      now += random() < 0.02 ? 61_000 + Math.floor(random() * 30_000) : Math.floor(random() * 2_500)
      const group = `room${Math.floor(random() * 3)}`
      const sender = `wxid_${Math.floor(random() * 4)}`
      const verdict = limiter.check(group, sender, now)
      expect(verdict, `command ${i}`).toBe(recount(group, sender, now))
      verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1)
    }
    // the sequence reaches every verdict, so the comparison covers each
    expect(verdicts.get('ok')).toBeGreaterThan(1000)
    expect(verdicts.get('warn')).toBeGreaterThan(50)
    expect(verdicts.get('silent')).toBeGreaterThan(50)
  })

  it('count a group without a limit exactly after 200,000 commands', () => {
    const limiter = new RateLimiter({ perSenderPerMinute: 1e9, perGroupPerMinute: 100_000 })
    const start = Date.UTC(2026, 11, 3)
    // 200,000 commands over 200 s: only those of the last minute count towards the group's limit
    const refused = (verdicts: Verdict[]) => verdicts.filter((v) => v !== 'ok').length
    expect(refused(Array.from({ length: 200_000 }, (_, i) => limiter.check('room', `wxid_${i % 50}`, start + i)))).toBe(0)
    const now = start + 200_000
    // the 59,999 of the last minute (later than start + 140,000) count: 40,001 more are allowed, the next is over
    expect(refused(Array.from({ length: 40_001 }, (_, i) => limiter.check('room', `wxid_${i % 50}`, now)))).toBe(0)
    expect(limiter.check('room', 'wxid_0', now)).toBe('warn')
  })
})
