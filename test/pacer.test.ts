// The account's pace (src/outbox/pacer.ts): what the outbox tests show through an Outbox, here
// for what only a shared or re-seeded Pacer meets.
import { describe, expect, it } from 'vitest'
import { PARALLEL_UNPACED, Pacer } from '../src/outbox/pacer.ts'

const PACING = { sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 3, maxAttempts: 6 }
const T = 1_000_000

describe('Pacer', () => {
  it('counts a send told twice (the sent rows read again after a lease was taken over) once', () => {
    const pacer = new Pacer(PACING)
    for (const pass of [1, 2]) for (const s of [0, 1000]) pacer.remember(`g${s}`, T + s)
    // Two sends in the minute, not four: a third may go at once.
    expect(pacer.at('new', T + 2000)).toBeLessThanOrEqual(T + 2000)
    pacer.remember('g', T + 2000)
    expect(pacer.at('g', T + 2000)).toBe(T + 60_000) // three: the next waits for the first to leave the minute
  })

  it('paced, holds every other send while one is under way, and lets them go when it ends', () => {
    const pacer = new Pacer({ ...PACING, sameGroupSeconds: 0.001 })
    let woken = 0
    pacer.listen(() => woken++)
    expect(pacer.begin('a', T)).toBe(true)
    expect(pacer.begin('b', T)).toBe(false)
    expect(pacer.at('b', T)).toBe(Infinity)
    pacer.end('a', T + 10)
    expect(woken).toBe(1)
    expect(pacer.begin('b', T + 10)).toBe(true)
  })

  it('unpaced, lets sends to other conversations overlap: never two to one, at most PARALLEL_UNPACED, within perMinute', () => {
    const pacer = new Pacer({ ...PACING, perMinute: 10 })
    for (let i = 0; i < PARALLEL_UNPACED; i++) expect(pacer.begin(`g${i}`, T)).toBe(true)
    expect(pacer.begin('g0', T)).toBe(false) // one under way to g0 already
    expect(pacer.begin('other', T)).toBe(false) // as many as may overlap
    pacer.end('g0', T + 1)
    expect(pacer.begin('g0', T + 1)).toBe(true)
    // 10 a minute, the sends under way counted: 2 made and 7 under way leave room for one more, then none.
    pacer.end('g1', T + 2)
    expect(pacer.begin('g1', T + 2)).toBe(true)
    pacer.end('g2', T + 3)
    expect(pacer.begin('g2', T + 3)).toBe(false)
    expect(pacer.at('g2', T + 3)).toBe(Infinity)
  })

  it('forgets sends older than a minute, however many were allowed', () => {
    const pacer = new Pacer({ ...PACING, perMinute: 1_000_000 })
    for (let i = 0; i < 5000; i++) pacer.remember('g', T + i * 100)
    // 5000 sends over 500 s: only the last minute's are kept (the memory a shared account's pacer holds).
    const kept = (pacer as unknown as { recent: unknown[] }).recent.length
    expect(kept).toBe(600)
  })
})
