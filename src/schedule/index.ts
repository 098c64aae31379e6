// Everything on a timetable: the scheduler, its jobs, and what the same jobs answer on demand.
import type { Logger } from '../log.ts'
import { monthOf, type Month, type Week } from '../stats/periods.ts'
import { assessmentMessage, bulletinMessage, scheduledJobs, type GroupDirectory, type JobDeps } from './jobs.ts'
import { Scheduler, type PostQueue } from './scheduler.ts'
import { dutyLeaderFor, mondayOf } from './duty.ts'

export { dutyLeaderFor, mondayOf, type DutyLeader } from './duty.ts'
export type { CountyPosts, GroupDirectory } from './jobs.ts'
export { latestOccurrence, nextOccurrence, Scheduler, type Job, type PostQueue, type ScheduledMessage } from './scheduler.ts'
export { loadTipsFile, TipLibrary, type Tip } from './tips.ts'

export class Schedule {
  private readonly scheduler: Scheduler

  constructor(
    private readonly deps: JobDeps & { queue: PostQueue; logger: Logger; reportMissed(text: string): Promise<void> },
  ) {
    this.scheduler = new Scheduler({
      db: deps.db,
      clock: deps.clock,
      logger: deps.logger,
      jobs: scheduledJobs(deps),
      queue: deps.queue,
      catchUpHours: deps.config.schedules.catchUpHours,
      reportMissed: deps.reportMissed,
    })
  }

  get groups(): GroupDirectory {
    return this.deps.groups
  }

  /** Starts the timers and catches up what was missed while the bot was down (resolves when that is done). */
  start(): Promise<void> {
    return this.scheduler.start()
  }

  stop(): void {
    this.scheduler.stop()
  }

  /** Posts whatever is due now and not yet posted (also what each timer does). */
  check(): Promise<void> {
    return this.scheduler.check()
  }

  /** Posts what falls due exactly at `at`, as the timers would at that moment. */
  checkDue(at: Date): Promise<void> {
    return this.scheduler.checkDue(at)
  }

  plan() {
    return this.scheduler.plan()
  }

  dutyLeader(date: Date) {
    return dutyLeaderFor(date, this.deps.db, this.deps.config)
  }

  /** Names the duty leader of the week containing `date`; returns that week's Monday and whether the config knows the person. */
  async assignDuty(date: Date, name: string, setByName: string): Promise<{ week: string; known: boolean }> {
    const person = this.deps.config.people.find((p) => p.name === name)
    const week = mondayOf(date)
    const data = { leaderName: name, leaderId: person?.wechatId ?? null, setByName, setAt: this.deps.clock() }
    await this.deps.db.dutyAssignment.upsert({ where: { week }, create: { week, ...data }, update: data })
    return { week, known: person !== undefined }
  }

  bulletin(week: Week) {
    return bulletinMessage(this.deps, week)
  }

  assessment(month: Month = monthOf(this.deps.clock())) {
    return assessmentMessage(this.deps, month)
  }
}
