// The browser sandbox: a small local web server (Hono) around the sandbox's mock WeChat and the
// real assistant. The page lets anyone try the bot as any person of the config: send messages and
// photos into the township's groups, see exactly what the bot said (as it went through the
// puppet), move the sandbox clock to watch scheduled posts arrive, and start again from scratch.
//
// API (JSON; errors are { error: '中文说明' } with status 400, 404, 413 or 500):
//   GET  /api/state                 groups, people, clock
//   GET  /api/messages?group=…      a conversation's messages (room id or topic; private:<wechatId>)
//   GET  /api/events                server-sent events: message, clock, reset
//   POST /api/say     {group, as, text}
//   POST /api/photo   multipart (group, as, file…) or JSON {group, as, name, data: base64}
//   POST /api/clock   {to: 'monday' | 'first' | 'day'}
//   POST /api/reset
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
import { createLogger, type Logger } from '../log.ts'
import type { Pacing } from '../outbox/index.ts'
import { projectFontDirs } from '../photos/fonts.ts'
import { nextOccurrence } from '../schedule/index.ts'
import { SandboxClock, type ClockJump } from './clock.ts'
import { MessageLog, privateConversation, type SandboxMessage } from './messages.ts'
import { createSandbox, NEWCOMER, type Sandbox, type SandboxGroup } from './sandbox.ts'

export interface WebSandboxOptions {
  /** The township (the example township for `npm start`); every start and reset begins from it. */
  config: TownshipConfig
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
  reset(): Promise<void>
  stop(): Promise<void>
}

interface Generation {
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
  const broadcast = (event: 'message' | 'clock' | 'reset', data: unknown) => {
    const text = JSON.stringify(data)
    for (const stream of streams) stream.writeSSE({ event, data: text }).catch(() => streams.delete(stream))
  }
  const clockState = () => ({ now: clock.now().toISOString(), advancedMs: clock.advancedMs })
  const log = new MessageLog((message: SandboxMessage) => broadcast('message', message))

  /** The freshly migrated, empty database, kept in memory: a reset lays it down again instead of migrating anew (seconds). */
  let emptyDatabase: Buffer | undefined

  /** Lays the sandbox anew: empty database and folders, the township's people and groups, the bot logged in. */
  async function boot(): Promise<Generation> {
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
    const sandbox = createSandbox(config, clock.now)
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
    })
    const loggedIn = new Promise<void>((resolve) => assistant.bot.once('login', () => resolve()))
    sandbox.login()
    await loggedIn
    return { config, sandbox, assistant, outboxSeen: 0 }
  }

  let generation: Promise<Generation> = boot()
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

  async function reset(): Promise<void> {
    await oneAtATime(async () => {
      const previous = await generation.catch(() => undefined)
      await previous?.assistant.stop().catch((err: unknown) => logger.error({ err }, 'sandbox stop failed'))
      clock.reset()
      generation = boot()
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

  app.get('/api/state', async (c) => {
    const gen = await generation
    return c.json({
      township: gen.config.township.name,
      bot: { id: gen.sandbox.bot.id, name: gen.sandbox.bot.payload.name },
      groups: gen.sandbox.groups.map((g) => ({ id: g.id, topic: g.topic, scope: g.scope, village: g.village ?? null, memberIds: g.memberIds })),
      people: gen.sandbox.people.map((p) => ({
        id: p.wechatId,
        name: p.name,
        role: p.role,
        roleLabel: p.unregistered ? '未登记，按村民对待' : ROLE_LABELS[p.role],
        villages: p.villages,
      })),
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
    gen.sandbox.send(body.as, groupId, body.text)
    return c.json({ ok: true, id: log.latest(conversationKey(groupId, body.as))?.id ?? null })
  })

  const tooLarge = `文件太大：每次最多上传 ${uploadLimit / 1024 / 1024} MB`
  app.post(
    '/api/photo',
    bodyLimit({ maxSize: Math.ceil(uploadLimit * 1.34) + 1024 * 1024, onError: (c) => tooLargeAnswer(c, tooLarge) }),
    async (c) => {
      let fields: { group: string; as: string }
      const files: { data: Buffer; name: string | undefined }[] = []
      if ((c.req.header('content-type') ?? '').includes('application/json')) {
        const body = parse(photoJsonBody, await jsonOf(c))
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
        fields = parse(photoFormFields, { group: one(form.group), as: one(form.as) })
        for (const f of [form.file ?? []].flat()) {
          if (typeof f === 'string') throw new BadRequest('file 应为上传的文件')
          files.push({ data: Buffer.from(await f.arrayBuffer()), name: f.name })
        }
      }
      if (files.length === 0) throw new BadRequest('没有收到文件（字段名 file）')
      if (files.some((f) => f.data.length === 0)) throw new BadRequest('文件是空的')
      if (files.reduce((sum, f) => sum + f.data.length, 0) > uploadLimit) throw new BadRequest(tooLarge, 413)
      for (const file of files) await checkPhoto(file.data, file.name)
      const gen = await generation
      const groupId = destination(gen, fields.group, fields.as)
      const ids: string[] = []
      for (const file of files) {
        gen.sandbox.send(fields.as, groupId, { data: file.data, name: photoName(file.data, file.name) })
        const id = log.latest(conversationKey(groupId, fields.as))?.id
        if (id) ids.push(id)
      }
      return c.json({ ok: true, ids })
    },
  )

  app.post('/api/clock', bodyLimit({ maxSize: 4096, onError: (c) => tooLargeAnswer(c, '请求太大') }), async (c) => {
    const body = parse(clockBody, await jsonOf(c))
    await moveClock(body.to)
    return c.json({ ok: true, clock: clockState() })
  })

  app.post('/api/reset', async (c) => {
    await reset()
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
