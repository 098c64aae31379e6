// The township config: one zod schema. Everything a township sets lives here.
import { z } from 'zod'

// Config errors are read by township staff: zod's own messages in Chinese.
z.config(z.locales.zhCN())

/** `county`: the county office (县级), which reads the county's figures and nothing of a township's own. */
export const ROLES = ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident', 'county'] as const
export type Role = (typeof ROLES)[number]

/** A group serves the township, one village, or (a county's group) the county. */
export const GROUP_SCOPES = ['township', 'village', 'county'] as const
export type GroupScope = (typeof GROUP_SCOPES)[number]

const cronExpression = z.string().regex(/^(\S+\s+){4,5}\S+$/, '应为 cron 表达式，例如 "0 8 * * 1"')

const village = z.object({
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  hamlets: z.array(z.string().min(1)).default([]),
})

const grid = z.object({
  name: z.string().min(1),
  village: z.string().min(1),
  leader: z.string().optional(),
  workers: z.array(z.string()).default([]),
})

const group = z
  .object({
    topic: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
    scope: z.enum(GROUP_SCOPES),
    village: z.string().optional(),
  })
  .refine((g) => g.topic || g.id, { message: '群需要 topic（群名）或 id' })
  .refine((g) => g.scope !== 'village' || g.village, { message: '村级群需要写明 village' })

const person = z.object({
  name: z.string().min(1),
  wechatId: z.string().min(1),
  role: z.enum(ROLES),
  villages: z.array(z.string().min(1)).default([]),
})

export const townshipConfigSchema = z
  .object({
    township: z.object({ name: z.string().min(1) }),
    villages: z.array(village).min(1),
    grids: z.array(grid).default([]),
    groups: z.array(group).default([]),
    people: z.array(person).default([]),
    schedules: z
      .object({
        weeklyBulletin: cronExpression.default('0 8 * * 1'),
        monthlyAssessment: cronExpression.default('0 9 1 * *'),
        /** Propaganda tips to every village group. */
        tips: cronExpression.default('0 10 * * 3'),
        /** Deadline reminders, overdue notices and 黄牌/红牌, once a day. */
        reminders: cronExpression.default('0 9 * * *'),
        /** The week's duty leader is reminded. */
        dutyReminder: cronExpression.default('30 7 * * 1'),
        /** The nightly database backup. */
        backup: cronExpression.default('0 3 * * *'),
        /** Posts missed while the bot was down are caught up within this many hours, else reported as missed. */
        catchUpHours: z.number().positive().default(12),
      })
      .prefault({}),
    /** How fast the bot may send: WeChat restricts accounts that send like machines. */
    pacing: z
      .object({
        sameGroupSeconds: z.number().min(0).default(3),
        switchGroupMinSeconds: z.number().min(0).default(3),
        switchGroupMaxSeconds: z.number().min(0).default(5),
        perMinute: z.number().int().positive().default(20),
        /** A send that keeps failing is given up after this many tries (with growing waits). */
        maxAttempts: z.number().int().positive().default(6),
      })
      .prefault({}),
    escalation: z
      .object({
        /** Remind the village this many days before a deadline. */
        remindDaysBefore: z.number().int().min(0).default(2),
        /** 黄牌督办 in the township group after this many days overdue; 红牌督办 after redCardDays. */
        yellowCardDays: z.number().int().positive().default(3),
        redCardDays: z.number().int().positive().default(7),
      })
      .prefault({}),
    /** 月考核: each part scores 0..1, times its weight; villages under passLine are named. */
    assessment: z
      .object({
        weights: z
          .object({
            completion: z.number().min(0).default(40),
            timeliness: z.number().min(0).default(25),
            verified: z.number().min(0).default(15),
            cards: z.number().min(0).default(20),
          })
          .prefault({}),
        /** Each 黄牌 / 红牌 of the month takes this much off the cards part (which starts at 1). */
        yellowCardPenalty: z.number().min(0).default(0.25),
        redCardPenalty: z.number().min(0).default(0.5),
        passLine: z.number().min(0).default(60),
      })
      .prefault({}),
    /** 值班: leaders in turn, one a week from firstWeek (a Monday); /值班 can name another for a week. */
    duty: z
      .object({
        rotation: z.array(z.string().min(1)).default([]),
        firstWeek: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '应为日期，例如 2026-11-30').default('2026-11-30'),
      })
      .prefault({}),
    backup: z.object({ keepDays: z.number().int().positive().default(14) }).prefault({}),
    /** 最美庭院 rewards by household type (the brief: 贫困户 2024 元, 一般户 500 元). */
    rewards: z.record(z.string(), z.number().min(0)).default({ 贫困户: 2024, 一般户: 500 }),
    /** The propaganda tips library shipped with the project (YAML list of { topic, text }). */
    tipsFile: z.string().default('config/tips.yaml'),
    policy: z
      .object({
        /**
         * The config's `people` are the whole roster: stored people are replaced by them at every
         * start, and /任命, /免职, /我是 and /导入 人员 are refused (a purely declarative setup).
         */
        rosterFromConfigOnly: z.boolean().default(false),
        /** 已完成 needs an "after" photo: without one it is held until the photo comes. */
        completionNeedsPhoto: z.boolean().default(false),
        /** 限期 when /问题 names none. */
        defaultDeadlineDays: z.number().int().positive().default(7),
        /** How long a half-written command waits for its missing part. */
        promptMinutes: z.number().int().positive().default(5),
        /** The same words from the same sender within this many seconds count as one message (replays under new ids). */
        duplicateWindowSeconds: z.number().min(0).default(10),
        /** A message older than this on arrival is answered with a "handled late" note. */
        lateAfterSeconds: z.number().int().positive().default(120),
        /** Photos sent within this many minutes of a command (before or after it) belong to it. */
        photoWindowMinutes: z.number().int().positive().default(10),
        /** Several photos in a row get one confirmation, this many seconds after the last. */
        photoBatchSeconds: z.number().positive().default(3),
        /** Largest picture taken, and how long its download may take. */
        photoMaxMegabytes: z.number().positive().default(20),
        photoDownloadSeconds: z.number().positive().default(30),
        /** Commands a person may send per minute in one conversation, and a whole group per minute. */
        perSenderPerMinute: z.number().int().positive().default(20),
        perGroupPerMinute: z.number().int().positive().default(60),
        /** After an outage longer than this, admins are told how long and how many messages were late. */
        downNoticeMinutes: z.number().positive().default(3),
        /** Restart the WeChat connection when logged out, or unable to send, for this long (checked every selfCheckSeconds). */
        selfCheckMinutes: z.number().positive().default(5),
        selfCheckSeconds: z.number().positive().default(60),
        /** …sent this long after the reconnect, so the backlog it counts has arrived. */
        outageReportDelaySeconds: z.number().min(0).default(60),
        /** Longer messages are not commands anyone typed: they get a short answer, not a parse. */
        maxTextLength: z.number().int().positive().default(2000),
        /** /撤销 takes back the sender's own last record within this many minutes. */
        undoMinutes: z.number().int().positive().default(30),
        /** A quote of a bot message older than this asks for confirmation before it acts. */
        quoteWindowDays: z.number().positive().default(7),
        /** WeChat lets a message be recalled within this many minutes; a recall after it is not acted on. */
        recallMinutes: z.number().positive().default(2),
        /** Problems an inspector files within this many minutes of /巡查 are its findings. */
        sittingMinutes: z.number().int().positive().default(120),
        /** 最美庭院 rewards are paid from the village's 专项资金 (以奖代补); false: the township pays them. /资金 奖励 always is. */
        rewardsFromVillageFund: z.boolean().default(true),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const names = new Set(config.villages.map((v) => v.name))
    const checkVillage = (name: string | undefined, path: (string | number)[]) => {
      if (name && !names.has(name)) ctx.addIssue({ code: 'custom', path, message: `没有这个村：${name}` })
    }
    config.grids.forEach((g, i) => checkVillage(g.village, ['grids', i, 'village']))
    config.groups.forEach((g, i) => checkVillage(g.village, ['groups', i, 'village']))
    config.people.forEach((p, i) => p.villages.forEach((v, j) => checkVillage(v, ['people', i, 'villages', j])))
    config.duty.rotation.forEach((id, i) => {
      if (!config.people.some((p) => p.wechatId === id)) ctx.addIssue({ code: 'custom', path: ['duty', 'rotation', i], message: `值班轮换里的 ${id} 不在 people 里` })
    })
    const seenIds = new Map<string, number>()
    config.people.forEach((p, i) => {
      if (seenIds.has(p.wechatId)) ctx.addIssue({ code: 'custom', path: ['people', i, 'wechatId'], message: `wechatId 重复：${p.wechatId}` })
      seenIds.set(p.wechatId, i)
    })
    const seenNames = new Map<string, string>()
    config.villages.forEach((v, i) =>
      [v.name, ...v.aliases].forEach((n) => {
        const owner = seenNames.get(n)
        if (owner && owner !== v.name) ctx.addIssue({ code: 'custom', path: ['villages', i, 'aliases'], message: `别名「${n}」已属于 ${owner}` })
        seenNames.set(n, v.name)
      }),
    )
  })

export type TownshipConfig = z.infer<typeof townshipConfigSchema>
export type VillageConfig = TownshipConfig['villages'][number]
export type PersonConfig = TownshipConfig['people'][number]
export type GroupConfig = TownshipConfig['groups'][number]
export type Policy = TownshipConfig['policy']
