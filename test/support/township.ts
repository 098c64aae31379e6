import { resolve } from 'node:path'
import { loadTownshipConfig } from '../../src/config/load.ts'

/** The example township shipped in config/, which the tests use as their township. */
export const exampleConfig = () => loadTownshipConfig(resolve(import.meta.dirname, '../../config/township.example.yaml'))

/** A clock the test moves by hand. */
export function manualClock(start = new Date('2026-11-30T02:00:00Z')) {
  let now = start.getTime()
  const clock = () => new Date(now)
  clock.advanceDays = (days: number) => {
    now += days * 86_400_000
  }
  clock.set = (d: Date) => {
    now = d.getTime()
  }
  return clock
}
