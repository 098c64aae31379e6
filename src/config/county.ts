// A county config: several townships in one YAML, each with its villages, groups, schedules and
// bot account, and the county's own group and timetable. A plain township YAML is still read as
// it always was (loadConfig tells them apart by a top-level `townships`).
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { isNode, LineCounter, parseDocument, type Document } from 'yaml'
import { z } from 'zod'
import { ConfigError, parseTownshipConfig } from './load.ts'
import { townshipConfigSchema, type TownshipConfig } from './schema.ts'

const cronExpression = z.string().regex(/^(\S+\s+){4,5}\S+$/, '应为 cron 表达式，例如 "0 8 * * 1"')

const countySection = z.object({
  name: z.string().min(1),
  /** The county's work group(s), by topic (bound the first time the serving bot sees them) or room id. */
  groups: z.array(z.object({ topic: z.string().min(1).optional(), id: z.string().min(1).optional() }).refine((g) => g.topic || g.id, { message: '群需要 topic（群名）或 id' })).default([]),
  /** The township whose bot account serves the county group (default: the first). */
  host: z.string().optional(),
  /** County office people (县级人员): they read the county's figures privately too. */
  people: z.array(z.object({ name: z.string().min(1), wechatId: z.string().min(1) })).default([]),
  schedules: z
    .object({
      weeklyBulletin: cronExpression.default('0 8 * * 1'),
      monthlyAssessment: cronExpression.default('0 9 1 * *'),
    })
    .prefault({}),
})

const townshipEntry = z
  .object({
    /** Short ascii name: the township's PostgreSQL schema (or SQLite file) is named by it. */
    code: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, '应为小写字母开头的字母、数字或下划线，例如 dongxiang'),
    /** Its own bot account; without it, WECHATY_PUPPET_SERVICE_TOKEN's. */
    token: z.string().min(1).optional(),
    /** host:port of that account's puppet service, when it is not found by the token. */
    endpoint: z.string().min(1).optional(),
    /** The township's own YAML (relative to this file); otherwise its fields are written inline here. */
    file: z.string().min(1).optional(),
  })
  .loose()

const countyFileSchema = z.object({
  county: countySection,
  townships: z.array(townshipEntry).min(1),
})

export type CountySection = z.infer<typeof countySection>

export interface CountyTownshipConfig {
  code: string
  token?: string
  endpoint?: string
  config: TownshipConfig
}

export interface CountyConfig {
  county: CountySection
  townships: CountyTownshipConfig[]
  /** The code of the township whose account serves the county group. */
  host: string
}

export type LoadedConfig = { kind: 'township'; config: TownshipConfig } | { kind: 'county'; county: CountyConfig }

/** Reads a township YAML or a county YAML (one with `townships:`). */
export function loadConfig(path: string): LoadedConfig {
  const text = readFileSync(path, 'utf8')
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true })
  const raw = doc.errors.length === 0 ? (doc.toJS() as unknown) : undefined
  if (raw && typeof raw === 'object' && 'townships' in raw) return { kind: 'county', county: parseCountyConfig(text, path) }
  return { kind: 'township', config: parseTownshipConfig(text, path) }
}

/** Reads a county YAML; every problem is named with its field and line, and nothing starts. */
export function parseCountyConfig(text: string, source = 'county', readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): CountyConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true })
  if (doc.errors.length > 0) throw new ConfigError(`${source}: YAML 格式错误\n` + doc.errors.map((e) => `  ${e.message}`).join('\n'))
  const at = (path: (string | number)[]) => lineOf(doc, lineCounter, path)
  const problems: string[] = []
  const say = (path: (string | number)[], message: string) => problems.push(`  ${path.join('.') || '(根)'}${at(path)}: ${message}`)

  const parsed = countyFileSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    for (const issue of parsed.error.issues) say(issue.path.map((p) => (typeof p === 'number' ? p : String(p))), issue.message)
    throw new ConfigError(`${source}: 配置有误\n${problems.join('\n')}`)
  }
  const { county, townships: entries } = parsed.data

  const townships: CountyTownshipConfig[] = []
  entries.forEach((entry, i) => {
    const { code, token, endpoint, file, ...inline } = entry
    let config: TownshipConfig | undefined
    if (file) {
      const path = resolve(dirname(source), file)
      try {
        config = parseTownshipConfig(readFile(path), path)
      } catch (err) {
        say(['townships', i, 'file'], (err as Error).message)
      }
    } else {
      const result = townshipConfigSchema.safeParse(inline)
      if (result.success) config = result.data
      else for (const issue of result.error.issues) say(['townships', i, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))], issue.message)
    }
    if (config) townships.push({ code, ...(token ? { token } : {}), ...(endpoint ? { endpoint } : {}), config })
  })
  if (problems.length > 0) throw new ConfigError(`${source}: 配置有误\n${problems.join('\n')}`)

  // What two townships cannot share: a code, a village (by any of its names), a group.
  const codes = new Map<string, number>()
  const villages = new Map<string, string>()
  const groups = new Map<string, string>()
  county.groups.forEach((g, j) => groups.set(g.id ?? `topic:${g.topic}`, `县级群（county.groups 第 ${j + 1} 个）`))
  townships.forEach(({ code, config }, i) => {
    const name = config.township.name
    if (codes.has(code)) say(['townships', i, 'code'], `code「${code}」与第 ${codes.get(code)! + 1} 个乡镇重复`)
    codes.set(code, i)
    config.villages.forEach((v, j) => {
      for (const word of [v.name, ...v.aliases]) {
        const owner = villages.get(word)
        if (owner && owner !== name) say(['townships', i, 'villages', j], `「${word}」已属于${owner}：一个村只能属于一个乡镇`)
        villages.set(word, name)
      }
    })
    config.groups.forEach((g, j) => {
      for (const key of [g.id, g.topic && `topic:${g.topic}`]) {
        if (!key) continue
        const owner = groups.get(key)
        if (owner && owner !== name) say(['townships', i, 'groups', j], `群「${g.topic ?? g.id}」已属于${owner}：一个群只能属于一个乡镇`)
        groups.set(key, name)
      }
    })
  })
  const host = county.host ?? townships[0]!.code
  if (!codes.has(host)) say(['county', 'host'], `没有 code 为「${host}」的乡镇`)
  if (problems.length > 0) throw new ConfigError(`${source}: 配置有误\n${problems.join('\n')}`)
  // The county's group and office people are kept by the township whose account serves them.
  const served = townships.find((t) => t.code === host)!.config
  served.groups.push(...county.groups.map((g) => ({ ...g, scope: 'county' as const })))
  for (const p of county.people) {
    if (!served.people.some((q) => q.wechatId === p.wechatId)) served.people.push({ ...p, role: 'county', villages: [] })
  }
  return { county, townships, host }
}

/** "（第 N 行）" for the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, lineCounter: LineCounter, path: (string | number)[]): string {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true)
    if (isNode(node) && node.range) return `（第 ${lineCounter.linePos(node.range[0]).line} 行）`
  }
  return ''
}
