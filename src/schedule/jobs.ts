// What the assistant posts on its own: 周通报, 月考核, propaganda tips, deadline reminders with
// 黄牌/红牌督办, and the duty leader's reminder.
import { describe, type Campaign } from '../campaign/campaign.ts'
import { formatAmount } from '../campaign/quantity.ts'
import type { TownshipConfig } from '../config/schema.ts'
import type { Township } from '../config/township.ts'
import type { Database, Problem } from '../db/index.ts'
import { OPEN_STATUSES } from '../ledger/index.ts'
import { buildAssessment, assessmentText } from '../stats/assessment.ts'
import { buildBulletin, bulletinPicture, bulletinText } from '../stats/bulletin.ts'
import { monthOf, previousMonth, previousWeek, weekOf, type Month, type Week } from '../stats/periods.ts'
import { daysBetween, formatDate, type Clock } from '../time.ts'
import { backupNow } from '../maintenance/backup.ts'
import { dutyLeaderFor, mondayOf } from './duty.ts'
import type { Job, PostKey, PostPlan, ScheduledMessage } from './scheduler.ts'
import type { TipLibrary } from './tips.ts'

/** Finds a bound group's conversation id (WeChat room id) from its config entry. */
export interface GroupDirectory {
  township(): Promise<string | undefined>
  village(village: string): Promise<string | undefined>
  /** The county's group, on the township whose account serves it. */
  county(): Promise<string | undefined>
}

/** A county's posts, made by the township whose account serves the county group. */
export interface CountyPosts {
  schedules: { weeklyBulletin: string; monthlyAssessment: string }
  bulletin(week: Week): Promise<{ text: string; picture: Buffer }>
  assessment(month: Month): Promise<{ text: string; picture?: Buffer }>
}

export interface JobDeps {
  /** The week's inspections and clearance figures for the bulletin. */
  campaign: Campaign
  /** The nightly backup's source and destination. */
  backup: { databaseFile: string | undefined; dir: string }
  db: Database
  config: TownshipConfig
  township: Township
  groups: GroupDirectory
  tips: TipLibrary
  clock: Clock
  county?: CountyPosts
}

/** Everything the bulletin and the assessment are computed from. */
async function ledgerRecords(db: Database) {
  const [problems, changes, cards] = await Promise.all([db.problem.findMany(), db.problemChange.findMany(), db.card.findMany()])
  return { problems, changes, cards }
}

/** The weekly bulletin for a week, as text and picture: also what /通报 answers. */
export async function bulletinMessage(deps: JobDeps, week: Week): Promise<{ text: string; picture: Buffer }> {
  const { db, config, township } = deps
  const { problems, changes, cards } = await ledgerRecords(db)
  const duty = await dutyLeaderFor(week.start, db, config)
  const scope = { from: week.start, to: week.end }
  const cleared = await deps.campaign.totals('清运', scope)
  const activities = await deps.campaign.activities(scope)
  const clearance = [
    ...(cleared.size > 0 ? [describe('清运', [...cleared].map(([figure, value]) => ({ figure, value })), formatAmount)] : []),
    ...activities.map((a) => `${a.name} ${describe('活动', [...a.totals].map(([figure, value]) => ({ figure, value })), formatAmount)}`),
  ]
  const bulletin = buildBulletin({
    townshipName: township.name,
    villages: township.villageNames,
    problems,
    changes,
    cards,
    week,
    dutyLeader: duty?.name,
    inspections: await deps.campaign.count('巡查', scope),
    clearance,
  })
  return { text: bulletinText(bulletin, township.name), picture: await bulletinPicture(bulletin, township.name) }
}

/** The monthly assessment for a month: also what /考核 answers. */
export async function assessmentMessage(deps: JobDeps, month: ReturnType<typeof monthOf>): Promise<string> {
  const { db, config, township } = deps
  const { problems, changes, cards } = await ledgerRecords(db)
  return assessmentText(buildAssessment({ villages: township.villageNames, problems, changes, cards, month, config: config.assessment }), township.name)
}

export function scheduledJobs(deps: JobDeps): Job[] {
  return [...townshipJobs(deps), ...(deps.county ? countyJobs(deps.county, deps.groups) : [])]
}

/** The county's weekly bulletin and monthly assessment of townships, to the county group. */
function countyJobs(county: CountyPosts, groups: GroupDirectory): Job[] {
  return [
    {
      name: 'county-weekly-bulletin',
      label: '全县周通报',
      cron: county.schedules.weeklyBulletin,
      catchUp: 'window',
      async plan(occurrence) {
        const week = previousWeek(weekOf(occurrence))
        const to = await groups.county()
        if (!to) return []
        return [single({ period: week.key, target: 'county' }, async () => {
          const { text, picture } = await county.bulletin(week)
          return [{ conversationId: to, text, file: { name: `全县周通报-${week.key}.png`, data: picture } }]
        })]
      },
    },
    {
      name: 'county-monthly-assessment',
      label: '全县月考核',
      cron: county.schedules.monthlyAssessment,
      catchUp: 'window',
      async plan(occurrence) {
        const month = previousMonth(monthOf(occurrence))
        const to = await groups.county()
        if (!to) return []
        return [single({ period: month.key, target: 'county' }, async () => {
          const { text, picture } = await county.assessment(month)
          return [{ conversationId: to, text, ...(picture ? { file: { name: `全县月考核-${month.key}.png`, data: picture } } : {}) }]
        })]
      },
    },
  ]
}

function townshipJobs(deps: JobDeps): Job[] {
  const { config } = deps
  return [
    {
      name: 'weekly-bulletin',
      label: '周通报',
      cron: config.schedules.weeklyBulletin,
      catchUp: 'window',
      async plan(occurrence) {
        // Posted at the start of a week, it reports the week that just ended.
        const week = previousWeek(weekOf(occurrence))
        const to = await deps.groups.township()
        if (!to) return []
        return [single({ period: week.key, target: 'township' }, async () => {
          const { text, picture } = await bulletinMessage(deps, week)
          return [{ conversationId: to, text, file: { name: `周通报-${week.key}.png`, data: picture } }]
        })]
      },
    },
    {
      name: 'monthly-assessment',
      label: '月考核',
      cron: config.schedules.monthlyAssessment,
      catchUp: 'window',
      async plan(occurrence) {
        const month = previousMonth(monthOf(occurrence))
        const to = await deps.groups.township()
        if (!to) return []
        return [single({ period: month.key, target: 'township' }, async () => [{ conversationId: to, text: await assessmentMessage(deps, month) }])]
      },
    },
    {
      name: 'tips',
      label: '宣传提示',
      cron: config.schedules.tips,
      catchUp: 'window',
      async plan(occurrence) {
        const plans: PostPlan[] = []
        for (const village of deps.township.villageNames) {
          const to = await deps.groups.village(village)
          if (!to) continue
          plans.push({
            keys: [{ period: occurrence.toISOString(), target: village }],
            async render() {
              const tip = await deps.tips.next(to)
              return { messages: [{ conversationId: to, text: `📢 ${tip.text}` }], writes: [deps.tips.markSent(to, tip.key)] }
            },
          })
        }
        return plans
      },
    },
    {
      name: 'reminders',
      label: '限期提醒和黄牌/红牌督办',
      cron: config.schedules.reminders,
      catchUp: 'always',
      plan: () => reminderPlans(deps),
    },
    {
      name: 'backup',
      label: '数据库备份',
      cron: config.schedules.backup,
      catchUp: 'window',
      async plan(occurrence) {
        return [
          {
            keys: [{ period: occurrence.toISOString(), target: 'database' }],
            async render() {
              await backupNow({ db: deps.db, databaseFile: deps.backup.databaseFile, dir: deps.backup.dir, keepDays: config.backup.keepDays, now: deps.clock() })
              return { messages: [] }
            },
          },
        ]
      },
    },
    {
      name: 'duty-reminder',
      label: '值班提醒',
      cron: config.schedules.dutyReminder,
      catchUp: 'window',
      async plan(occurrence) {
        const leader = await dutyLeaderFor(occurrence, deps.db, config)
        const to = await deps.groups.township()
        if (!leader || !to) return []
        const week = weekOf(occurrence)
        const text = `📅 本周（${week.label}）值班领导：${leader.name}。请安排走村入户检查，发现问题用 /问题 登记并拍照取证。`
        return [single({ period: mondayOf(occurrence), target: leader.name }, async () => [{ conversationId: to, text, mentionIds: leader.wechatId ? [leader.wechatId] : [] }])]
      },
    },
  ]
}

function single(key: PostKey, messages: () => Promise<ScheduledMessage[]>): PostPlan {
  return { keys: [key], render: async () => ({ messages: await messages() }) }
}

/**
 * Each open problem is reminded once when its deadline is near and once when it becomes
 * overdue (again after an extension moves the deadline); 黄牌 and 红牌 are issued once each.
 */
async function reminderPlans(deps: JobDeps): Promise<PostPlan[]> {
  const { db, config, township, clock } = deps
  const now = clock()
  const { remindDaysBefore, yellowCardDays, redCardDays } = config.escalation
  const open = await db.problem.findMany({ where: { status: { in: OPEN_STATUSES }, deadline: { not: null } }, orderBy: { id: 'asc' } })
  const plans: PostPlan[] = []
  const personId = (name: string | null) => config.people.find((p) => p.name === name)?.wechatId

  for (const village of township.villageNames) {
    const mine = open.filter((p) => p.village === village)
    const notes = new Map<string, { problem: Problem; line: string }>()
    for (const p of mine) {
      const deadline = p.deadline!
      const day = formatDate(deadline)
      const left = daysBetween(now, deadline)
      const who = `责任人：${p.responsibleName ?? '未指定'}`
      if (deadline >= now && left <= remindDaysBefore) notes.set(`soon:${deadline.toISOString()}|#${p.id}`, { problem: p, line: `#${p.id} ${p.description} 限期${day}（${left === 0 ? '今天到期' : `还剩${left}天`}）${who}` })
      if (deadline < now) notes.set(`overdue:${deadline.toISOString()}|#${p.id}`, { problem: p, line: `#${p.id} ${p.description} 限期${day}，已逾期${Math.max(1, daysBetween(deadline, now))}天 ${who}` })
    }
    const to = notes.size > 0 ? await deps.groups.village(village) : undefined
    if (!to) continue
    const keys = [...notes.keys()].map((k) => ({ period: k.split('|')[0]!, target: k.split('|')[1]! }))
    plans.push({
      keys,
      async render(newKeys) {
        const lines = newKeys.map((k) => notes.get(`${k.period}|${k.target}`)!)
        const mentionIds = [...new Set(lines.map((l) => personId(l.problem.responsibleName)).filter((id): id is string => !!id))]
        const text = [`⏰ ${village}整改提醒`, ...lines.map((l) => l.line), '请抓紧整改，完成后发 /整改 编号 已完成；确需延期请发 /延期 编号 天数 原因。'].join('\n')
        return { messages: [{ conversationId: to, text, mentionIds }] }
      },
    })
  }

  const cards: { problem: Problem; color: '黄牌' | '红牌'; days: number }[] = []
  for (const p of open) {
    if (p.deadline! >= now) continue
    const days = daysBetween(p.deadline!, now)
    if (days >= yellowCardDays) cards.push({ problem: p, color: '黄牌', days })
    if (days >= redCardDays) cards.push({ problem: p, color: '红牌', days })
  }
  const townshipGroup = cards.length > 0 ? await deps.groups.township() : undefined
  if (townshipGroup) {
    const byKey = new Map(cards.map((c) => [`${c.color}|#${c.problem.id}`, c]))
    plans.push({
      keys: cards.map((c) => ({ period: c.color, target: `#${c.problem.id}` })),
      async render(newKeys) {
        const issued = newKeys.map((k) => byKey.get(`${k.period}|${k.target}`)!)
        const lines = issued.map((c) => `${c.color === '红牌' ? '🟥 红牌督办' : '🟨 黄牌督办'}：#${c.problem.id} ${c.problem.village} ${c.problem.description}，已逾期${c.days}天，责任人 ${c.problem.responsibleName ?? '未指定'}`)
        return {
          messages: [{ conversationId: townshipGroup, text: [...lines, '督办问题计入本月考核，请包村干部跟进。'].join('\n') }],
          writes: issued.map((c) => db.card.create({ data: { problemId: c.problem.id, village: c.problem.village, color: c.color, daysOverdue: c.days, issuedAt: now } })),
        }
      },
    })
  }
  return plans
}
