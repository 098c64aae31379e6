// The sandbox's own time: real time plus an offset that the page's time control moves forward,
// so a trainee can watch Monday's bulletin and the 1st's assessment arrive without waiting a week.
// The assistant gets `clock.now` as its Clock; nothing else in it knows the time is not real.
import dayjs from 'dayjs'
import { systemClock, TIMEZONE, type Clock } from '../time.ts'

export type ClockJump = 'monday' | 'first' | 'day'

const DAY_MS = 86_400_000

export class SandboxClock {
  private offsetMs = 0
  private startOffsetMs = 0

  /** `startAt`: where the sandbox time starts (default: now); it runs on from there in real time. */
  constructor(
    private readonly real: Clock = systemClock,
    private readonly startAt?: Date,
  ) {
    this.reset()
  }

  /** While a jump works through a scheduled time, the time stands still there (see `hold`). */
  private heldAt: number | undefined

  /** The sandbox time; pass it as the assistant's clock. */
  readonly now: Clock = () => new Date(this.heldAt ?? this.real().getTime() + this.offsetMs)

  /** How far the time control has moved the sandbox time (since the start or the last reset). */
  get advancedMs(): number {
    const offset = this.heldAt === undefined ? this.offsetMs : this.heldAt - this.real().getTime()
    return offset - this.startOffsetMs
  }

  /**
   * Stops the time where it is until `release`: a jump visits each scheduled time and must not
   * drift past it while the scheduler works (what was due then is due exactly then).
   */
  hold(): void {
    this.heldAt ??= this.now().getTime()
  }

  /** Lets the time run on in real time from where it stands. */
  release(): void {
    if (this.heldAt === undefined) return
    this.offsetMs = this.heldAt - this.real().getTime()
    this.heldAt = undefined
  }

  /** Where a jump goes: the next Monday 08:00 (weekly bulletin), the next 1st at 09:00 (monthly assessment), or one day on. */
  target(to: ClockJump): Date {
    const now = this.now()
    return to === 'day' ? new Date(now.getTime() + DAY_MS) : to === 'monday' ? nextMonday0800(now) : nextFirst0900(now)
  }

  /** Moves the sandbox time to `when`; never backwards. */
  moveTo(when: Date): void {
    const ahead = Math.max(0, when.getTime() - this.now().getTime())
    if (this.heldAt !== undefined) this.heldAt += ahead
    else this.offsetMs += ahead
  }

  /** Back to the start: real time, or `startAt` (the sandbox's reset). */
  reset(): void {
    this.heldAt = undefined
    this.offsetMs = this.startOffsetMs = this.startAt ? this.startAt.getTime() - this.real().getTime() : 0
  }
}

/** The first Monday 08:00 (Asia/Shanghai) after `now`. */
export function nextMonday0800(now: Date): Date {
  const local = dayjs(now).tz(TIMEZONE)
  let candidate = local.startOf('day').hour(8)
  const daysToMonday = (8 - candidate.day()) % 7 // day(): 0 = Sunday … 6 = Saturday
  candidate = candidate.add(daysToMonday, 'day')
  if (!candidate.isAfter(local)) candidate = candidate.add(7, 'day')
  return candidate.toDate()
}

/** The first 1st-of-a-month 09:00 (Asia/Shanghai) after `now`. */
export function nextFirst0900(now: Date): Date {
  const local = dayjs(now).tz(TIMEZONE)
  let candidate = local.startOf('month').hour(9)
  if (!candidate.isAfter(local)) candidate = candidate.add(1, 'month')
  return candidate.toDate()
}
