// The browser sandbox: a small local web server (Hono) around the sandbox's mock WeChat and the
// real assistant. The page lets anyone try the bot as any person of the config: send messages,
// photos and Excel files into the township's groups, see exactly what the bot said (as it went
// through the puppet), move the sandbox clock to watch scheduled posts arrive, and start again
// from scratch: from the example township, or from a blank one (its villages, nobody registered,
// no groups) to set it up by message as a real township does: the admin code, a new group, /绑定 …
//
// API (JSON; errors are { error: '中文说明' } with status 400, 404, 413 or 500):
//   GET  /api/state                 groups (with their binding), people (with their roles now), clock, the admin code while there is no admin
//   GET  /api/messages?group=…      a conversation's messages (room id or topic; private:<wechatId>)
//   GET  /api/events                server-sent events: message, clock, reset, state (people, roles or groups changed)
//   POST /api/say     {group, as, text}       "@名字" of a group member is sent as a WeChat @-mention
//   POST /api/photo   multipart (group, as, file…) or JSON {group, as, name, data: base64}
//   POST /api/file    the same, for .xlsx files only (sent as a file message, as WeChat does)
//   POST /api/person  {name}                  someone new in WeChat
//   POST /api/group   {as, topic?, members?}  `as` makes a group and pulls the bot in
//   POST /api/clock   {to: 'monday' | 'first' | 'day'}
//   POST /api/reset   {township?: 'example' | 'blank'}
//   GET  /files/:messageId          a picture's or file's bytes
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { FileBox } from 'file-box'
import { Hono, type Context } from 'hono'
import sharp from 'sharp'
import { bodyLimit } from 'hono/body-limit'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import { z } from 'zod'
import { startAssistant, type RunningAssistant } from '../app.ts'
import type { TownshipConfig } from '../config/schema.ts'
import { migrate } from '../db/index.ts'
import { ROLE_LABELS } from '../config/township.ts'
import { SETUP_CODE_TRIES } from '../roster/roster.ts'
import { createLogger, type Logger } from '../log.ts'
import type { Pacing } from '../outbox/index.ts'
import { projectFontDirs } from '../photos/fonts.ts'
import { nextOccurrence } from '../schedule/index.ts'
import { SandboxClock, type ClockJump } from './clock.ts'
import { MessageLog, privateConversation, type SandboxMessage } from './messages.ts'
import { createSandbox, NEWCOMER, SANDBOX_BOT_ID, type Sandbox, type SandboxGroup } from './sandbox.ts'

/** What a start or reset begins from: the example township, or its villages with nobody registered and no groups. */
export type SandboxTownship = 'example' | 'blank'

export interface WebSandboxOptions {
  /** The township (the example township for `npm start`); every start and reset begins from it. */
  config: TownshipConfig
  /** Whether the first start lays the config's township (default) or a blank one; a reset may choose again. */
  township?: SandboxTownship
  /** The sandbox's own SQLite `file:` URL: deleted and laid anew at start and on reset. */
  databaseUrl: string
  /** The sandbox's own photo folder: deleted at start and on reset. */
  photoDir: string
  /** The sandbox's own backup folder (default: `<database>-backups`): deleted at start and on reset. */
  backupDir?: string
  /** Default 8788; 0 = a free port. */
  port?: number
  /** When `port` is taken, listen on a free port instead of failing (for the default port). */
  portFallback?: boolean
  /** Default 127.0.0.1: a local tool, not a public service. */
  host?: string
  logger?: Logger
  /** Overrides of the config's pacing (tests make it quick). */
  pacing?: Partial<Pacing>
  /** Where the sandbox time starts (default: now); tests fix it. */
  startAt?: Date
  /** The largest upload (all files of one request together). Default 20 MB. */
  uploadLimitMegabytes?: number
}

export interface WebSandbox {
  url: string
  clock: SandboxClock
  /** The running sandbox and assistant; a reset replaces them. */
  running(): Promise<{ sandbox: Sandbox; assistant: RunningAssistant }>
  /** Runs `fn` with sending unpaced (the console demo), then gives the config's pacing back. */
  unpaced<T>(fn: (sandbox: Sandbox) => Promise<T>): Promise<T>
  /** Moves the clock (and posts what fell due on the way). */
  moveClock(to: ClockJump): Promise<Date>
  /** Starts again from the example township (default) or a blank one. */
  reset(township?: SandboxTownship): Promise<void>
  stop(): Promise<void>
}

interface Generation {
  township: SandboxTownship
  config: TownshipConfig
  sandbox: Sandbox
  assistant: RunningAssistant
  /** The last outbox row a clock jump has looked at (see `showQueued`). */
  outboxSeen: number
}

const UNPACED = { sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000 }
const JUMP_LABELS: Record<ClockJump, string> = { monday: '快进到下周一 08:00', first: '快进到下月1日 09:00', day: '+1 天' }
/** A clock move posts every scheduled time it passes, one by one; at most this many (a month is ~80). */
const MAX_CLOCK_STEPS = 400
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

const here = dirname(fileURLToPath(import.meta.url))

class BadRequest extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 413 = 400,
  ) {
    super(message)
  }
}

const sayBody = z.object({
  group: z.string({ error: '缺少 group（群 id 或群名）' }).min(1, '缺少 group（群 id 或群名）'),
  as: z.string({ error: '缺少 as（以谁的身份）' }).min(1, '缺少 as（以谁的身份）'),
  text: z.string({ error: '缺少 text（消息内容）' }).max(5000, '消息太长：最多 5000 字').refine((t) => t.trim().length > 0, '消息不能为空'),
})
const photoJsonBody = z.object({
  group: sayBody.shape.group,
  as: sayBody.shape.as,
  name: z.string().max(200, '文件名太长').optional(),
  data: z.string({ error: '缺少 data（base64 编码的图片）' }).min(1, '缺少 data（base64 编码的图片）'),
})
const photoFormFields = z.object({ group: sayBody.shape.group, as: sayBody.shape.as })
const uploadFormFields = photoFormFields
const fileJsonBody = photoJsonBody.extend({
  data: z.string({ error: '缺少 data（base64 编码的 .xlsx 文件）' }).min(1, '缺少 data（base64 编码的 .xlsx 文件）'),
})
const NAME_ERROR = '名字应为 1–20 个字，不含 @ 和换行'
const personBody = z.object({
  name: z
    .string({ error: '缺少 name（名字）' })
    .transform((n) => n.trim())
    .pipe(z.string().min(1, NAME_ERROR).max(20, NAME_ERROR).regex(/^[^@\s\u2005]+(?: [^@\s\u2005]+)*$/, NAME_ERROR)),
})
const groupBody = z.object({
  as: sayBody.shape.as,
  topic: z.string().max(40, '群名太长：最多 40 字').optional(),
  members: z.array(z.string(), { error: 'members 应为微信号列表' }).max(500, '群成员太多').optional(),
})
const resetBody = z.object({
  township: z.enum(['example', 'blank'], { error: 'township 应为 example（示例乡镇）或 blank（空白乡镇）' }).optional(),
})
const clockBody = z.object({
  to: z.enum(['monday', 'first', 'day'], { error: 'to 应为 monday（下周一 08:00）、first（下月1日 09:00）或 day（+1 天）' }),
})

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw new BadRequest(issue?.message ?? '请求有误')
}

async function jsonOf(c: Context): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    throw new BadRequest('请求内容不是有效的 JSON')
  }
}

/** A file name the mock (and WeChat) types by: keep the name, give it the extension its bytes say. */
export function photoName(data: Buffer, name: string | undefined): string {
  const base = (name ?? '').replace(/[\\/\0]/g, '').trim() || '照片'
  const sniffed =
    data[0] === 0xff && data[1] === 0xd8 ? 'jpg'
    : data.subarray(0, 4).toString('hex') === '89504e47' ? 'png'
    : data.subarray(0, 3).toString('latin1') === 'GIF' ? 'gif'
    : data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP' ? 'webp'
    : data.subarray(4, 8).toString('latin1') === 'ftyp' ? (data.subarray(8, 12).toString('latin1').startsWith('avi') ? 'avif' : 'heic')
    : undefined
  if (!sniffed || new RegExp(`\\.${sniffed === 'jpg' ? 'jpe?g' : sniffed}$`, 'i').test(base)) return base
  return `${base.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.${sniffed}`
}

/** What the 照片 button sends, as WeChat's photo picker does: phone pictures, judged by their bytes. */
const PHOTO_FORMATS = new Set(['jpeg', 'png', 'gif', 'webp', 'heif'])
const PHOTO_FORMATS_LABEL = 'JPG、PNG、GIF、WebP 或 HEIC'

/** Refuses anything that is not a photo, whatever its name says (sharp reads the header only). */
export async function checkPhoto(data: Buffer, name: string | undefined): Promise<void> {
  const shown = `「${name?.trim() || '文件'}」`
  let format: string | undefined
  try {
    format = (await sharp(data, { limitInputPixels: false }).metadata()).format
  } catch {
    throw new BadRequest(`${shown}不是图片：照片只能发送 ${PHOTO_FORMATS_LABEL} 图片`)
  }
  // An SVG or PDF is a document that would be rendered (and may run scripts), not a photo.
  if (!format || !PHOTO_FORMATS.has(format)) {
    throw new BadRequest(`${shown}是 ${String(format ?? '未知').toUpperCase()} 格式，不是照片：照片只能发送 ${PHOTO_FORMATS_LABEL} 图片`)
  }
}

/**
 * A 413 leaves the rest of the body unread, so the server closes the socket after answering:
 * say so, or a keep-alive client would send its next request into a closed connection.
 */
function tooLargeAnswer(c: Context, error: string): Response {
  return c.json({ error }, 413, { Connection: 'close' })
}

/**
 * "@名字" as typed in the composer, for members of the group: WeChat sends the mention list
 * beside the text and a U+2005 after each name, so a typed space after a name becomes one.
 */
export function withMentions(text: string, members: readonly { id: string; name: string }[]): { text: string; mentionIds: string[] } {
  const names = [...members].filter((m) => m.name).sort((a, b) => b.name.length - a.name.length)
  const mentionIds: string[] = []
  let out = ''
  let i = 0
  while (i < text.length) {
    const at = text.indexOf('@', i)
    if (at < 0) break
    out += text.slice(i, at + 1)
    i = at + 1
    const member = names.find((m) => text.startsWith(m.name, i) && /^(?:[ \u2005\s]|$)/.test(text.slice(i + m.name.length, i + m.name.length + 1)))
    if (!member) continue
    out += member.name
    i += member.name.length
    if (text[i] === ' ') {
      out += '\u2005'
      i += 1
    }
    if (!mentionIds.includes(member.id)) mentionIds.push(member.id)
  }
  return { text: out + text.slice(i), mentionIds }
}

/** What the 文件 button sends: an Excel workbook (the only file the assistant reads), judged by name and bytes. */
export function checkXlsx(data: Buffer, name: string): void {
  const shown = `「${name}」`
  if (!/\.xlsx$/i.test(name)) throw new BadRequest(`${shown}不是 .xlsx 表格：文件只能发送 Excel 表格（.xlsx），照片请用"照片"按钮`)
  // An .xlsx is a zip: "PK\x03\x04". An old .xls renamed, or a text file, is not.
  if (data.subarray(0, 4).toString('hex') !== '504b0304') throw new BadRequest(`${shown}不是有效的 .xlsx 文件：内容不是 Excel 表格（旧版 .xls 请在 Excel 里另存为 .xlsx）`)
}

function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

export async function startWebSandbox(options: WebSandboxOptions): Promise<WebSandbox> {
  const logger = options.logger ?? createLogger('warn')
  const host = options.host ?? '127.0.0.1'
  const uploadLimit = (options.uploadLimitMegabytes ?? 20) * 1024 * 1024
  const databaseFile = options.databaseUrl.replace(/^file:/, '')
  const backupDir = options.backupDir ?? `${databaseFile}-backups`
  const clock = new SandboxClock(undefined, options.startAt)
  const page = readFileSync(join(here, 'page.html'), 'utf8')
  let font: Buffer | undefined

  // Server-sent events to every open page.
  const streams = new Set<SSEStreamingApi>()
  const broadcast = (event: 'message' | 'clock' | 'reset' | 'state', data: unknown) => {
    const text = JSON.stringify(data)
    for (const stream of streams) stream.writeSSE({ event, data: text }).catch(() => streams.delete(stream))
  }
  const clockState = () => ({ now: clock.now().toISOString(), advancedMs: clock.advancedMs })
  const log = new MessageLog((message: SandboxMessage) => broadcast('message', message))

  /** The freshly migrated, empty database, kept in memory: a reset lays it down again instead of migrating anew (seconds). */
  let emptyDatabase: Buffer | undefined

  /** Lays the sandbox anew: empty database and folders, the township's people and groups, the bot logged in. */
  async function boot(township: SandboxTownship): Promise<Generation> {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(databaseFile + suffix, { force: true })
    for (const dir of [options.photoDir, backupDir]) rmSync(dir, { recursive: true, force: true })
    if (emptyDatabase) {
      mkdirSync(dirname(databaseFile), { recursive: true })
      writeFileSync(databaseFile, emptyDatabase)
    } else {
      await migrate(options.databaseUrl)
      emptyDatabase = readFileSync(databaseFile)
    }
    const config = structuredClone(options.config)
    config.pacing = { ...config.pacing, ...options.pacing }
    // A blank township: the same villages, and the same people in WeChat, but nobody registered
    // and no groups: what a real township has on the first day.
    const strangers = township === 'blank' ? config.people.map((p) => ({ wechatId: p.wechatId, name: p.name })) : []
    if (township === 'blank') {
      config.people = []
      config.groups = []
      config.duty.rotation = []
    }
    const sandbox = createSandbox(config, clock.now, { strangers })
    log.attach(sandbox)
    const assistant = await startAssistant({
      config,
      databaseUrl: options.databaseUrl,
      photoDir: options.photoDir,
      backupDir,
      puppet: sandbox.puppet,
      clock: clock.now,
      logger,
      migrate: false,
      onRosterChanged: () => broadcast('state', {}),
    })
    sandbox.login()
    // Its groups bound and the timetable's first look done before anyone speaks: what is due at
    // the start belongs to the start, not to the first message.
    await assistant.loginSettled()
    return { township, config, sandbox, assistant, outboxSeen: 0 }
  }

  let generation: Promise<Generation> = boot(options.township ?? 'example')
  await generation
  // Resets and clock moves one at a time.
  let exclusive: Promise<unknown> = Promise.resolve()
  const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = exclusive.then(fn)
    exclusive = result.catch(() => undefined)
    return result
  }

  const groupOf = (gen: Generation, key: string): SandboxGroup | undefined => gen.sandbox.groups.find((g) => g.id === key || g.topic === key)
  const personOf = (gen: Generation, wechatId: string) => {
    const person = gen.sandbox.people.find((p) => p.wechatId === wechatId)
    if (!person) throw new BadRequest(`沙盒里没有这个人：${wechatId}`)
    return person
  }
  /** Where `as` may speak: a group they are a member of, or their own private chat with the bot. */
  const destination = (gen: Generation, key: string, as: string): string | undefined => {
    const person = personOf(gen, as)
    if (key === 'private' || key.startsWith('private:')) {
      if (key !== 'private' && key !== privateConversation(as)) throw new BadRequest('只能以本人身份私聊助手')
      return undefined
    }
    const group = groupOf(gen, key)
    if (!group) throw new BadRequest(`没有这个群：${key}`)
    if (!group.memberIds.includes(as)) throw new BadRequest(`${person.name} 不在「${group.topic}」里，请换个身份或换个群`)
    return group.id
  }
  const nameOf = (gen: Generation, id: string) =>
    id === SANDBOX_BOT_ID ? gen.sandbox.bot.payload.name : (gen.sandbox.people.find((p) => p.wechatId === id)?.name ?? id)
  const conversationKey = (groupId: string | undefined, as: string) => groupId ?? privateConversation(as)

  /** Shows the scheduled posts queued since the last look (they carry their due time) as queued. */
  async function showQueued(gen: Generation): Promise<void> {
    const rows = await gen.assistant.db.outboxMessage.findMany({
      where: { id: { gt: gen.outboxSeen }, status: 'pending', dueAt: { not: null } },
      orderBy: { id: 'asc' },
      select: { id: true, conversationId: true, text: true, mentionIds: true, fileName: true, dueAt: true },
    })
    if (rows.length === 0) return
    gen.outboxSeen = rows.at(-1)!.id
    log.showQueued(rows.map((r) => ({ ...r, mentionIds: JSON.parse(r.mentionIds) as string[], dueAt: r.dueAt! })))
  }

  async function moveClock(to: ClockJump): Promise<Date> {
    return oneAtATime(async () => {
      const gen = await generation
      const target = clock.target(to)
      // Every scheduled time on the way is visited, so a week ahead brings that week's posts
      // (not "missed" notices, which a jump straight past them would give). The time stands
      // still at each one until what fell due then is shown (queued, at its due time); the bot's
      // sends wait meanwhile, so each later takes its queued place instead of arriving unannounced.
      clock.hold()
      gen.sandbox.puppet.holdSends()
      try {
        const last = await gen.assistant.db.outboxMessage.findFirst({ orderBy: { id: 'desc' }, select: { id: true } })
        gen.outboxSeen = Math.max(gen.outboxSeen, last?.id ?? 0)
        const crons = Object.values(gen.config.schedules).filter((v): v is string => typeof v === 'string')
        for (let step = 0; step < MAX_CLOCK_STEPS; step++) {
          const from = new Date(clock.now().getTime() + 1)
          const next = Math.min(...crons.map((cron) => nextOccurrence(cron, from).getTime()))
          if (!(next <= target.getTime())) break
          clock.moveTo(new Date(next))
          await gen.assistant.services.schedule.checkDue(new Date(next))
          await showQueued(gen)
        }
        clock.moveTo(target)
        await gen.assistant.services.schedule.checkDue(target)
        await showQueued(gen)
      } finally {
        clock.release()
        gen.sandbox.puppet.releaseSends()
      }
      broadcast('clock', clockState())
      return clock.now()
    })
  }

  async function reset(township: SandboxTownship = 'example'): Promise<void> {
    await oneAtATime(async () => {
      const previous = await generation.catch(() => undefined)
      await previous?.assistant.stop().catch((err: unknown) => logger.error({ err }, 'sandbox stop failed'))
      clock.reset()
      generation = boot(township)
      await generation
      broadcast('reset', clockState())
    })
  }

  const app = new Hono()

  // A local tool: when bound to loopback, only answer requests addressed to loopback (no DNS rebinding).
  app.use('*', async (c, next) => {
    if (LOOPBACK.has(host)) {
      const hostname = (c.req.header('host') ?? '').replace(/:\d+$/, '')
      if (!LOOPBACK.has(hostname)) return c.json({ error: '沙盒只接受本机访问（127.0.0.1）' }, 403)
    }
    await next()
  })
  app.use('/api/*', async (c, next) => {
    await next()
    c.header('Cache-Control', 'no-store')
  })

  app.get('/', (c) => {
    c.header('Cache-Control', 'no-cache')
    return c.html(page)
  })
  app.get('/font/sans-sc.ttf', (c) => {
    font ??= readFileSync(join(projectFontDirs()[0]!, 'NotoSansSC_400Regular.ttf'))
    return c.body(new Uint8Array(font), 200, { 'Content-Type': 'font/ttf', 'Cache-Control': 'public, max-age=604800' })
  })

  /** The admin code while the township has no admin (a real one prints it at start; nobody reads a sandbox's log). */
  async function setupCode(gen: Generation) {
    if (gen.assistant.township.admins().length > 0) return null
    const row = await gen.assistant.db.setupCode.findFirst({ where: { usedAt: null }, orderBy: { id: 'desc' } })
    if (!row) return null
    const minutesLeft = Math.max(0, Math.ceil((row.expiresAt.getTime() - clock.now().getTime()) / 60_000))
    return { code: row.code, expiresAt: row.expiresAt.toISOString(), minutesLeft, usable: minutesLeft > 0 && row.failures < SETUP_CODE_TRIES }
  }

  app.get('/api/state', async (c) => {
    const gen = await generation
    // Roles and bindings as the assistant knows them now (they change by message), not as the config began.
    const { township } = gen.assistant
    return c.json({
      township: gen.config.township.name,
      start: gen.township,
      villages: township.villageNames,
      bot: { id: gen.sandbox.bot.id, name: gen.sandbox.bot.payload.name },
      groups: gen.sandbox.groups.map((g) => {
        const bound = township.groupFor(g.id)
        return { id: g.id, topic: g.topic, scope: bound?.scope ?? null, village: bound?.village ?? null, memberIds: g.memberIds }
      }),
      people: gen.sandbox.people.map((p) => {
        const known = township.person(p.wechatId)
        return {
          id: p.wechatId,
          name: p.name,
          role: known?.role ?? 'resident',
          roleLabel: known ? ROLE_LABELS[known.role] : '未登记，按村民对待',
          registered: known !== undefined,
          villages: known?.villages ?? [],
        }
      }),
      setup: await setupCode(gen),
      newcomerId: NEWCOMER.wechatId,
      clock: clockState(),
      jumps: Object.entries(JUMP_LABELS).map(([to, label]) => ({ to, label })),
      uploadLimitMegabytes: uploadLimit / 1024 / 1024,
    })
  })

  app.get('/api/messages', async (c) => {
    const gen = await generation
    const key = c.req.query('group')
    if (!key) throw new BadRequest('缺少 group（群 id、群名或 private:微信号）')
    if (key.startsWith('private:')) {
      personOf(gen, key.slice('private:'.length))
      return c.json({ conversation: key, messages: log.history(key) })
    }
    const group = groupOf(gen, key)
    if (!group) throw new BadRequest(`没有这个群：${key}`)
    return c.json({ conversation: group.id, messages: log.history(group.id) })
  })

  app.get('/api/events', (c) =>
    streamSSE(c, async (stream) => {
      let wake = () => {}
      streams.add(stream)
      stream.onAbort(() => {
        streams.delete(stream)
        wake()
      })
      await stream.writeSSE({ event: 'clock', data: JSON.stringify(clockState()) })
      // A ping now and then keeps proxies and the browser from giving up on a quiet stream.
      while (!stream.aborted && !stream.closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 15_000)
          timer.unref()
          wake = () => (clearTimeout(timer), resolve())
        })
        if (!stream.aborted) await stream.writeSSE({ event: 'ping', data: '' })
      }
      streams.delete(stream)
    }),
  )

  app.post('/api/say', bodyLimit({ maxSize: 64 * 1024, onError: (c) => tooLargeAnswer(c, '消息太长') }), async (c) => {
    const body = parse(sayBody, await jsonOf(c))
    const gen = await generation
    const groupId = destination(gen, body.group, body.as)
    // In a group, "@名字" of a member is an @-mention, as WeChat's composer makes it.
    const members = groupId ? (groupOf(gen, groupId)?.memberIds ?? []).map((id) => ({ id, name: nameOf(gen, id) })) : []
    const { text, mentionIds } = groupId ? withMentions(body.text, members) : { text: body.text, mentionIds: [] }
    gen.sandbox.send(body.as, groupId, text, mentionIds)
    return c.json({ ok: true, id: log.latest(conversationKey(groupId, body.as))?.id ?? null, mentionIds })
  })

  app.post('/api/person', bodyLimit({ maxSize: 4096, onError: (c) => tooLargeAnswer(c, '请求太大') }), async (c) => {
    const { name } = parse(personBody, await jsonOf(c))
    const gen = await generation
    const person = gen.sandbox.addPerson(name)
    broadcast('state', {})
    return c.json({ ok: true, id: person.wechatId, name: person.name })
  })

  app.post('/api/group', bodyLimit({ maxSize: 64 * 1024, onError: (c) => tooLargeAnswer(c, '请求太大') }), async (c) => {
    const body = parse(groupBody, await jsonOf(c))
    const gen = await generation
    const inviter = personOf(gen, body.as)
    const members = body.members ?? gen.sandbox.people.map((p) => p.wechatId)
    for (const id of members) if (id !== SANDBOX_BOT_ID) personOf(gen, id)
    const others = members.filter((id) => id !== SANDBOX_BOT_ID && id !== inviter.wechatId)
    if (others.length === 0) throw new BadRequest('群里至少还要有一个人（微信建群要选两位以上联系人）')
    const topic = body.topic?.trim() || `新群${gen.sandbox.groups.filter((g) => g.topic.startsWith('新群')).length + 1}`
    if (gen.sandbox.groups.some((g) => g.topic === topic)) throw new BadRequest(`已经有叫「${topic}」的群了，换个群名`)
    const group = gen.sandbox.createGroup(topic, others, inviter.wechatId)
    log.watch(group.id)
    broadcast('state', {})
    return c.json({ ok: true, id: group.id, topic: group.topic, memberIds: group.memberIds })
  })

  const tooLarge = `文件太大：每次最多上传 ${uploadLimit / 1024 / 1024} MB`
  const uploadLimitGuard = bodyLimit({ maxSize: Math.ceil(uploadLimit * 1.34) + 1024 * 1024, onError: (c) => tooLargeAnswer(c, tooLarge) })

  /** An upload: multipart (group, as, file…) or JSON {group, as, name, data: base64}. */
  async function readUpload(c: Context, jsonBody: typeof photoJsonBody) {
    let fields: { group: string; as: string }
    const files: { data: Buffer; name: string | undefined }[] = []
    if ((c.req.header('content-type') ?? '').includes('application/json')) {
      const body = parse(jsonBody, await jsonOf(c))
      fields = body
      files.push({ data: Buffer.from(body.data, 'base64'), name: body.name })
    } else {
      let form: Record<string, string | File | (string | File)[]>
      try {
        form = await c.req.parseBody({ all: true })
      } catch {
        throw new BadRequest('请求应为 multipart/form-data（group、as、file）或 JSON')
      }
      const one = (v: unknown) => (Array.isArray(v) ? v[0] : v)
      fields = parse(uploadFormFields, { group: one(form.group), as: one(form.as) })
      for (const f of [form.file ?? []].flat()) {
        if (typeof f === 'string') throw new BadRequest('file 应为上传的文件')
        files.push({ data: Buffer.from(await f.arrayBuffer()), name: f.name })
      }
    }
    if (files.length === 0) throw new BadRequest('没有收到文件（字段名 file）')
    if (files.some((f) => f.data.length === 0)) throw new BadRequest('文件是空的')
    if (files.reduce((sum, f) => sum + f.data.length, 0) > uploadLimit) throw new BadRequest(tooLarge, 413)
    return { fields, files }
  }

  /** Sends each file as `as` where they may speak; the ids of the messages made. */
  async function sendFiles(fields: { group: string; as: string }, files: { data: Buffer; name: string }[]): Promise<string[]> {
    const gen = await generation
    const groupId = destination(gen, fields.group, fields.as)
    const ids: string[] = []
    for (const file of files) {
      gen.sandbox.send(fields.as, groupId, file)
      const id = log.latest(conversationKey(groupId, fields.as))?.id
      if (id) ids.push(id)
    }
    return ids
  }

  app.post('/api/photo', uploadLimitGuard, async (c) => {
    const { fields, files } = await readUpload(c, photoJsonBody)
    for (const file of files) await checkPhoto(file.data, file.name)
    return c.json({ ok: true, ids: await sendFiles(fields, files.map((f) => ({ data: f.data, name: photoName(f.data, f.name) }))) })
  })

  // As WeChat's 文件 sends a document: a file message (Attachment) whose payload carries the name.
  app.post('/api/file', uploadLimitGuard, async (c) => {
    const { fields, files } = await readUpload(c, fileJsonBody)
    const named = files.map((f) => ({ data: f.data, name: (f.name ?? '').replace(/[\\/\0]/g, '').trim() || '文件' }))
    for (const file of named) checkXlsx(file.data, file.name)
    return c.json({ ok: true, ids: await sendFiles(fields, named) })
  })

  app.post('/api/clock', bodyLimit({ maxSize: 4096, onError: (c) => tooLargeAnswer(c, '请求太大') }), async (c) => {
    const body = parse(clockBody, await jsonOf(c))
    await moveClock(body.to)
    return c.json({ ok: true, clock: clockState() })
  })

  app.post('/api/reset', bodyLimit({ maxSize: 4096, onError: (c) => tooLargeAnswer(c, '请求太大') }), async (c) => {
    const text = await c.req.text()
    let body: unknown = {}
    if (text.trim()) {
      try {
        body = JSON.parse(text)
      } catch {
        throw new BadRequest('请求内容不是有效的 JSON')
      }
    }
    await reset(parse(resetBody, body).township)
    return c.json({ ok: true, clock: clockState() })
  })

  app.get('/files/:id', async (c) => {
    const id = c.req.param('id')
    if (!log.hasFile(id)) throw new BadRequest('没有这个文件（沙盒重置后旧文件就没有了）', 404)
    const gen = await generation
    const json = gen.sandbox.mocker.cacheFileBoxPayload.get(id)
    if (!json) throw new BadRequest('没有这个文件', 404)
    const box = FileBox.fromJSON(json)
    const data = await box.toBuffer()
    const inline = box.mediaType.startsWith('image/')
    return c.body(new Uint8Array(data), 200, {
      'Content-Type': box.mediaType || 'application/octet-stream',
      'Content-Disposition': contentDisposition(inline ? 'inline' : 'attachment', box.name),
      'Cache-Control': 'private, max-age=3600',
      'X-Content-Type-Options': 'nosniff',
    })
  })

  app.notFound((c) => c.json({ error: '没有这个地址' }, 404))
  app.onError((err, c) => {
    if (err instanceof BadRequest) return err.status === 413 ? tooLargeAnswer(c, err.message) : c.json({ error: err.message }, err.status)
    logger.error({ err }, 'sandbox request failed')
    return c.json({ error: `沙盒出错：${err instanceof Error ? err.message : String(err)}` }, 500)
  })

  const port = options.port ?? 8788
  const listen = (at: number) =>
    new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: at, hostname: host }, () => resolve(s))
      s.once('error', reject)
    })
  const server = await listen(port)
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' && options.portFallback && port !== 0) return listen(0)
      throw err
    })
    .catch(async (err: NodeJS.ErrnoException) => {
      await (await generation).assistant.stop()
      const why = err.code === 'EADDRINUSE' ? `端口 ${port} 已被占用（设 RENJU_SANDBOX_PORT=0 可任选空闲端口）` : err.message
      throw new Error(`沙盒网页无法在 ${host}:${port} 上启动：${why}`, { cause: err })
    })
  server.on('error', (err) => logger.error({ err }, 'sandbox server error'))
  const address = server.address() as AddressInfo
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host
  const url = `http://${shownHost}:${address.port}`

  return {
    url,
    clock,
    running: async () => {
      const gen = await generation
      return { sandbox: gen.sandbox, assistant: gen.assistant }
    },
    async unpaced(fn) {
      const gen = await generation
      const pacing = gen.config.pacing
      const paced = { ...pacing }
      // The outbox reads its pacing object at every send.
      Object.assign(pacing, UNPACED)
      try {
        return await fn(gen.sandbox)
      } finally {
        await gen.assistant.outbox.idle()
        Object.assign(pacing, paced)
      }
    },
    moveClock,
    reset,
    async stop() {
      for (const stream of streams) {
        stream.abort()
        void stream.close()
      }
      streams.clear()
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        if ('closeAllConnections' in server) server.closeAllConnections()
      })
      await oneAtATime(async () => {
        const gen = await generation.catch(() => undefined)
        await gen?.assistant.stop()
      })
    },
  }
}
