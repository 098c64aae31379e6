// Scheduled posts, exactly once. node-cron wakes the scheduler at each job's times (Asia/Shanghai);
// the scheduler then posts every job's latest occurrence that is not yet recorded. A post's keys
// (job + period + target) are written in the same transaction as its outgoing messages, so a
// restart, a second instance or a clock jump never posts twice; on start, what was missed while
// down is caught up within a grace period and reported to admins beyond it.
import { CronExpressionParser } from 'cron-parser'
import cron, { type ScheduledTask } from 'node-cron'
import type { Database } from '../db/index.ts'
import type { Logger } from '../log.ts'
import type { OutgoingFile } from '../outgoing.ts'
import { formatDateTime, TIMEZONE, type Clock } from '../time.ts'

export interface ScheduledMessage {
  conversationId: string
  text: string
  mentionIds?: string[]
  file?: OutgoingFile
  /** When it was due; the scheduler sets it on everything it queues. */
  dueAt?: Date
}

/** Something a post settles: "weekly bulletin of 2026-W48 to the township group". */
export interface PostKey {
  period: string
  target: string
}

export interface PostPlan {
  /** What this post settles; it is skipped when all of them are recorded already. */
  keys: PostKey[]
  /** The messages for the keys not yet recorded, and records to write with them (same transaction). */
  render(newKeys: PostKey[]): Promise<{ messages: ScheduledMessage[]; writes?: unknown[] }>
}

export interface Job {
  name: string
  /** What users call it: 周通报. */
  label: string
  cron: string
  /**
   * 'window': a post of its time, caught up within the grace period, else missed (bulletins).
   * 'always': follows the records whenever it runs (reminders, cards), so a late run is still right.
   */
  catchUp: 'window' | 'always'
  plan(occurrence: Date): Promise<PostPlan[]>
}

/** Where posts go: the outbox, which stores messages and extra records in one transaction. */
export interface PostQueue {
  enqueuePosts(messages: ScheduledMessage[], writes: unknown[]): Promise<void>
}

export interface SchedulerDeps {
  db: Database
  clock: Clock
  logger: Logger
  jobs: Job[]
  queue: PostQueue
  catchUpHours: number
  /** Tells the admins about posts missed beyond the catch-up window. */
  reportMissed(text: string): Promise<void>
}

const keyOf = (job: Job, key: PostKey) => `${job.name}|${key.period}|${key.target}`

export function latestOccurrence(expression: string, now: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: new Date(now.getTime() + 1), tz: TIMEZONE }).prev().toDate()
}

export function nextOccurrence(expression: string, now: Date): Date {
  return CronExpressionParser.parse(expression, { currentDate: now, tz: TIMEZONE }).next().toDate()
}

export class Scheduler {
  private tasks: ScheduledTask[] = []
  private running: Promise<void> = Promise.resolve()

  constructor(private readonly deps: SchedulerDeps) {}

  /**
   * Posts (or records as missed) the latest occurrence not recorded yet of every job, or of the
   * named one only (its own time has come: a reminder must not go out at the backup's 03:00).
   * Idempotent.
   */
  check(jobName?: string): Promise<void> {
    const jobs = jobName === undefined ? this.deps.jobs : this.deps.jobs.filter((j) => j.name === jobName)
    this.running = this.running.then(() => this.checkAll(jobs)).catch((err: unknown) => this.deps.logger.error({ err }, 'scheduler check failed'))
    return this.running
  }

  /** Checks the jobs whose time is exactly `at` (a sandbox stepping its clock through them). */
  checkDue(at: Date): Promise<void> {
    const due = this.deps.jobs.filter((j) => latestOccurrence(j.cron, at).getTime() === at.getTime())
    this.running = this.running.then(() => this.checkAll(due)).catch((err: unknown) => this.deps.logger.error({ err }, 'scheduler check failed'))
    return this.running
  }

  /** Starts the timers (again, after a stop); resolves when the first look at what is due is done. */
  start(): Promise<void> {
    this.stop()
    for (const job of this.deps.jobs) {
      this.tasks.push(cron.schedule(job.cron, () => void this.check(job.name), { timezone: TIMEZONE, name: job.name, noOverlap: true }))
    }
    // On start, what was missed while down (bulletins within the grace period, reminders due).
    return this.check()
  }

  stop(): void {
    for (const task of this.tasks) void task.stop()
    this.tasks = []
  }

  /** For /计划: each job, when it runs next, and what happened last time. */
  async plan(): Promise<{ label: string; next: Date; last?: { dueAt: Date; status: string } }[]> {
    const now = this.deps.clock()
    return Promise.all(
      this.deps.jobs.map(async (job) => {
        const last = await this.deps.db.scheduledPost.findFirst({ where: { job: job.name }, orderBy: { dueAt: 'desc' } })
        return { label: job.label, next: nextOccurrence(job.cron, now), last: last ? { dueAt: last.dueAt, status: last.status } : undefined }
      }),
    )
  }

  private async checkAll(jobs: Job[]): Promise<void> {
    for (const job of jobs) {
      try {
        await this.checkJob(job)
      } catch (err) {
        this.deps.logger.error({ err, job: job.name }, 'scheduled job failed')
      }
    }
  }

  private async checkJob(job: Job): Promise<void> {
    const { db, clock, catchUpHours } = this.deps
    const now = clock()
    const occurrence = latestOccurrence(job.cron, now)
    const missed = job.catchUp === 'window' && now.getTime() - occurrence.getTime() > catchUpHours * 3600_000
    // A first start long after a job's time is not news: record it, tell nobody.
    const firstRun = missed && (await db.scheduledPost.count({ where: { job: job.name } })) === 0
    let newlyMissed = 0
    for (const plan of await job.plan(occurrence)) {
      const recorded = await db.scheduledPost.findMany({ where: { key: { in: plan.keys.map((k) => keyOf(job, k)) } }, select: { key: true } })
      const done = new Set(recorded.map((r) => r.key))
      const newKeys = plan.keys.filter((k) => !done.has(keyOf(job, k)))
      if (newKeys.length === 0) continue
      const rows = (status: string) =>
        newKeys.map((k) => db.scheduledPost.create({ data: { key: keyOf(job, k), job: job.name, period: k.period, target: k.target, dueAt: occurrence, status, createdAt: now } }))
      if (missed) {
        try {
          await db.$transaction(rows('missed'))
          newlyMissed += newKeys.length
        } catch (err) {
          // Another process recorded it first, and reports it.
          if ((err as { code?: string }).code !== 'P2002') throw err
        }
        continue
      }
      const { messages, writes = [] } = await plan.render(newKeys)
      // A 'window' post belongs to its occurrence; an 'always' one says what the records show now.
      const dueAt = job.catchUp === 'window' ? occurrence : now
      try {
        await this.deps.queue.enqueuePosts(messages.map((m) => ({ ...m, dueAt })), [...rows('queued'), ...writes])
        this.deps.logger.info({ job: job.name, keys: newKeys.length, messages: messages.length }, 'scheduled post queued')
      } catch (err) {
        // Another instance recorded the same key first: it posts, this one does not.
        if ((err as { code?: string }).code !== 'P2002') throw err
      }
    }
    if (newlyMissed > 0 && !firstRun) {
      await this.deps.reportMissed(`⚠️ 助手离线期间错过了「${job.label}」（应于 ${formatDateTime(occurrence)} 发出，已超过 ${catchUpHours} 小时补发时限），记为未发送。`)
    }
  }
}
