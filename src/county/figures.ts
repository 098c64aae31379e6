// The county's figures: /统计 全县 (or one township's), /排名 of townships, the county's 周通报
// and 月考核, and /导出 统计. A county is to its townships what a township is to its villages:
// the same counts, formulas and formatters, with townships in the villages' place.
//
// Each township keeps its own database, so every figure reads the townships in parallel, and
// reads by aggregation (see records.ts) rather than loading every problem.
import { describe } from '../campaign/campaign.ts'
import { formatAmount } from '../campaign/quantity.ts'
import type { Card } from '../db/generated/client.ts'
import { UserError } from '../errors.ts'
import type { ExcelFile } from '../export/index.ts'
import { countsTable, percent, sumCounts, type VillageCounts } from '../ledger/index.ts'
import { addScoreCounts, assessmentText, buildAssessment, formulaText, type Assessment, type AssessmentConfig } from '../stats/assessment.ts'
import { addWeekCounts, buildBulletin, bulletinPicture, bulletinText, type Bulletin } from '../stats/bulletin.ts'
import { COUNTY_WORDS } from '../stats/level.ts'
import type { ChangeFacts, ProblemFacts } from '../stats/history.ts'
import type { Month, Week } from '../stats/periods.ts'
import type { Clock } from '../time.ts'
import type { County, CountyTownship } from './county.ts'
import { townshipNamed } from './names.ts'
import { readPeriod, scoreCounts, weekCounts, type Period, type PeriodCounts, type PeriodRecords } from './records.ts'
import { countyWorkbook } from './workbook.ts'

/** A township's ledger counts: one row per village, in config order, and their sum. */
export interface TownshipCounts {
  township: CountyTownship
  villages: VillageCounts[]
  /** `village` is the township's name. */
  total: VillageCounts
}

export interface CountyOptions {
  /**
   * The weights and pass line townships are assessed by. Until the county has a config of its
   * own, the first township's (the county seat's, listed first in the county config).
   */
  assessment?: AssessmentConfig
}

export class CountyFigures {
  readonly assessmentConfig: AssessmentConfig

  constructor(
    private readonly county: County,
    private readonly clock: Clock,
    options: CountyOptions = {},
  ) {
    const first = county.townships[0]
    if (!first) throw new Error(`县「${county.name}」没有乡镇`)
    // Townships are rows keyed by name: two of one name would be added together.
    const names = county.townships.map((t) => t.name)
    if (new Set(names).size !== names.length) throw new Error(`县「${county.name}」的乡镇重名：${names.join('、')}`)
    this.assessmentConfig = options.assessment ?? first.config.assessment
  }

  /** Every township's ledger counts, read in parallel. */
  async counts(): Promise<TownshipCounts[]> {
    return Promise.all(
      this.county.townships.map(async (township) => {
        const villages = await township.ledger.counts(township.township.villageNames)
        return { township, villages, total: sumCounts(villages, township.name) }
      }),
    )
  }

  /** `/统计 全县`, or with a township's name, that township's /统计 整改 figures. */
  async statsText(townshipName?: string): Promise<string> {
    const named = townshipNamed(this.county, townshipName)
    if (named === undefined) {
      const names = this.county.townships.map((t) => t.name)
      throw new UserError(`没有「${townshipName}」这个乡镇。可以写：全县，或 ${names.join('、')}，例如 /统计 ${names[0]}`)
    }
    if (named !== 'county') {
      const villages = await named.ledger.counts(named.township.villageNames)
      return [headline(named.name, sumCounts(villages, '全乡')), `网格：全乡 ${named.config.grids.length} 个`, '各村整改：', countsTable(villages)].join('\n')
    }
    const townships = (await this.counts()).map((t) => t.total)
    return [headline(this.county.name, sumCounts(townships, COUNTY_WORDS.whole)), `${COUNTY_WORDS.whole} ${townships.length} 个乡镇`, '各乡镇整改：', countsTable(townships)].join('\n')
  }

  /** The townships scored for the month by the monthly-assessment formula (see src/stats/assessment.ts). */
  async assessment(month: Month): Promise<Assessment> {
    const records = await this.readAll(month)
    const { problems, changes, cards, counted } = asTownshipRows(records, scoreCounts, addScoreCounts)
    const villages = this.county.townships.map((t) => t.name)
    return buildAssessment({ villages, problems, changes, cards, month, config: this.assessmentConfig, base: counted })
  }

  /** The county's 月考核 of townships, as a WeChat message (the township's has no picture, nor does this). */
  async assessmentText(month: Month): Promise<string> {
    return assessmentText(await this.assessment(month), this.county.name, this.assessmentConfig, COUNTY_WORDS)
  }

  /** `/排名`: townships by the month's assessment score, highest first. */
  async rankingText(month: Month): Promise<string> {
    const a = await this.assessment(month)
    return [
      `🏆 ${this.county.name}各乡镇整改排名（${month.label}，按月考核计分）`,
      ...a.scores.map((s) => `${s.rank}. ${s.village} ${s.score.toFixed(1)}分（${s.detail}）`),
      `计分：${formulaText(this.assessmentConfig)}`,
    ].join('\n')
  }

  /** The county's 周通报 for a week: one row per township. */
  async bulletin(week: Week): Promise<Bulletin> {
    const scope = { from: week.start, to: week.end }
    // Each township's reads one after another (see readPeriod), the townships in parallel.
    const parts = await Promise.all(
      this.county.townships.map(async (township) => ({
        township,
        records: await readPeriod(township.db, township.township.villageNames, week, { listCards: true }),
        inspections: await township.campaign.count('巡查', scope),
        cleared: await township.campaign.totals('清运', scope),
      })),
    )
    const { problems, changes, cards, counted } = asTownshipRows(parts, weekCounts, addWeekCounts)
    const inspections = parts.reduce((n, p) => n + p.inspections, 0)
    const clearance = new Map<string, number>()
    for (const { cleared } of parts) for (const [figure, value] of cleared) clearance.set(figure, (clearance.get(figure) ?? 0) + value)
    return buildBulletin({
      townshipName: this.county.name,
      villages: this.county.townships.map((t) => t.name),
      problems,
      changes,
      cards,
      week,
      base: counted,
      level: COUNTY_WORDS,
      inspections,
      clearance: clearance.size > 0 ? [describe('清运', [...clearance].map(([figure, value]) => ({ figure, value })), formatAmount)] : [],
    })
  }

  /** The county's 周通报 as the bot posts it: text and picture. */
  async bulletinMessage(week: Week): Promise<{ text: string; picture: Buffer }> {
    const b = await this.bulletin(week)
    return { text: bulletinText(b, this.county.name, COUNTY_WORDS), picture: await bulletinPicture(b, this.county.name, COUNTY_WORDS) }
  }

  /** `/导出 统计` at county level: a 全县汇总 sheet, then one sheet per township by village. */
  async workbook(): Promise<ExcelFile> {
    return countyWorkbook(this.county.name, await this.counts(), this.clock())
  }

  private readAll(period: Period): Promise<{ township: CountyTownship; records: PeriodRecords }[]> {
    return Promise.all(this.county.townships.map(async (township) => ({ township, records: await readPeriod(township.db, township.township.villageNames, period) })))
  }
}

/** The headline of /统计, for a township (全乡) or the county (全县). */
function headline(name: string, all: VillageCounts): string {
  return `📊 ${name}整改统计：汇集问题 ${all.total} 条，已完成整改 ${all.done} 条（已销号 ${all.verified}），未完成 ${all.open} 条，逾期 ${all.overdue} 条，完成率 ${percent(all.rate)}`
}

/**
 * The townships' records as one township's whose villages are the townships: each township's
 * counts summed into one row, and the few records left to walk in JS (problems the Ledger did
 * not write, cards) labelled with their township's name, problems numbered anew across the
 * county, since every township numbers its own from 1. The records were read for this call
 * alone, so they are relabelled in place.
 */
function asTownshipRows<C extends object>(
  parts: { township: CountyTownship; records: PeriodRecords }[],
  countsOf: (c: PeriodCounts) => C,
  add: (to: C, from: C) => void,
): { problems: ProblemFacts[]; changes: ChangeFacts[]; cards: Card[]; counted: Map<string, C> } {
  const problems: ProblemFacts[] = []
  const cards: Card[] = []
  const counted = new Map<string, C>()
  for (const { township, records } of parts) {
    for (const p of records.problems) {
      p.id = problems.length
      p.village = township.name
      problems.push(p)
    }
    for (const c of records.cards) {
      c.village = township.name
      cards.push(c)
    }
    let sum: C | undefined
    for (const c of records.counts.values()) {
      const counts = countsOf(c)
      if (sum) add(sum, counts)
      else sum = counts
    }
    if (sum) counted.set(township.name, sum)
  }
  // Those problems have no history rows since the period began: history.ts rebuilds them.
  return { problems, changes: [], cards, counted }
}
