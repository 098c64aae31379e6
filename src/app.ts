// Builds the running assistant from its parts: database, township, ledger, commands, bot.
import { dirname, join, resolve } from 'node:path'
import { WechatyBuilder, type Contact, type Message, type Wechaty, type WechatyPlugin } from 'wechaty'
import { commands } from '../commands/index.ts'
import { assistantPlugin, type GroupEvents } from './bot/assistant.ts'
import { WechatyGroups } from './bot/groups.ts'
import { isLoggedIn } from './bot/puppet.ts'
import { Sender } from './bot/sender.ts'
import type { TownshipConfig } from './config/schema.ts'
import { Township } from './config/township.ts'
import { migrate, openDatabase, providerOf, townshipDatabaseUrl, type Database } from './db/index.ts'
import { untilReachable } from './db/unreachable.ts'
import { Campaign } from './campaign/campaign.ts'
import { exportCampaign, exportLedger } from './export/index.ts'
import { Extensions, Ledger } from './ledger/index.ts'
import { Health, statusReport } from './maintenance/health.ts'
import { Outbox, PRIORITY, type OutgoingMessage } from './outbox/index.ts'
import { sharing } from './sharing.ts'
import { loadTipsFile, Schedule, TipLibrary, type CountyPosts, type GroupDirectory, type PostQueue } from './schedule/index.ts'
import { createLogger, type Logger } from './log.ts'
import { PhotoLibrary, PhotoPairing, PhotoStore } from './photos/index.ts'
import { createDispatcher, Registry, type MessageHooks, type ReplySink, type RunInScope } from './registry/index.ts'
import type { CountyView, Services } from './services.ts'
import { AccountShare } from './bot/share.ts'
import type { CountyConfig, CountySection, CountyTownshipConfig } from './config/county.ts'
import type { CountyTownship } from './county/county.ts'
import { CountyFigures } from './county/figures.ts'
import type { Notifier } from './outgoing.ts'
import { Imports } from './import/imports.ts'
import { RoleRequests } from './roster/requests.ts'
import { Roster, type RoomDirectory } from './roster/roster.ts'
import { intakeFile } from './workflow/file-intake.ts'
import { meaningOfQuote } from './workflow/quotes.ts'
import { undoRecalled } from './workflow/recall.ts'
import { SentMessages } from './outbox/sent.ts'
import { announceUnbound, roomLeft, roomSeen, unboundGroupMessage } from './workflow/groups.ts'
import { createPhotoIntake, type Transact } from './workflow/photo-intake.ts'
import { Reports } from './reports/reports.ts'
import { sweepPhotoWindows } from './workflow/photo-reminders.ts'
import { formatDateTime, systemClock, type Clock } from './time.ts'
import { projectRoot } from './paths.ts'


type Puppet = NonNullable<Parameters<typeof WechatyBuilder.build>[0]>['puppet']

/** What the assistant needs besides a bot: `renjuAssistant(options)` installs it on one. */
export interface RenjuAssistantOptions {
  config: TownshipConfig
  /** SQLite `file:` URL. */
  databaseUrl: string
  /** Folder for photo files (content-addressed; default: photos/ beside the database). */
  photoDir?: string
  /** Folder for the nightly backups (default: backups/ beside the database). */
  backupDir?: string
  clock?: Clock
  logger?: Logger
  /** Apply pending migrations first (default true). */
  migrate?: boolean
  /** Run the timetable (default true; tests drive it by hand with `services.schedule.check()`). */
  schedule?: boolean
  /** Told after a committed change of people or group bindings has reached the Township (the sandbox page redraws). */
  onRosterChanged?: () => void
  /**
   * PostgreSQL, where several processes may share the database: how long the sending lease and a
   * message's claim hold without renewal, i.e. how long a dead process's work waits (default 30).
   */
  leaseSeconds?: number
  /** A township of a county (see startCounty). */
  county?: CountyMembership
}

/** A county township's ties to the others. */
export interface CountyMembership {
  /** The townships on this township's bot account, when it serves several; this is seat `seat`. */
  share?: { account: AccountShare; seat: number }
  /** On the township whose account serves the county's group: the county's figures and posts. */
  serves?: CountyServing
}

export interface CountyServing {
  schedules: CountySection['schedules']
  /** The county, read with this township's own records through `own` (its transaction, if any). */
  view(own: Pick<CountyTownship, 'db' | 'ledger' | 'campaign'>): CountyView & Omit<CountyPosts, 'schedules'>
}

export interface AssistantOptions extends RenjuAssistantOptions {
  /** Folder for photo files (content-addressed). */
  photoDir: string
  puppet: Puppet
}

/** The assistant installed on a bot and set up: its parts, for the sandbox, tests and /状态. */
export interface InstalledAssistant {
  db: Database
  ledger: Ledger
  township: Township
  services: Services
  outbox: Outbox
  health: Health
  /** Reminds about held 已完成 whose photo never came; runs every half minute, callable in tests. */
  sweepPhotoWindows(): Promise<void>
  /**
   * Resolves once logged in, the groups the bot is in recorded (bound where the config names
   * them) and the timetable's first look done: what a start owes its groups is queued by then.
   */
  loginSettled(): Promise<void>
  /** Uninstalls from the bot (which keeps running): listeners, timers and sending stop, then the database closes. */
  stop(): Promise<void>
}

/** `bot.use(renjuAssistant(options))`; `ready()` resolves once the database is open and the assistant answers. */
export interface RenjuAssistantPlugin extends WechatyPlugin {
  /** Set-up on the bot it was installed on; rejects when that failed (the error is also logged). */
  ready(): Promise<InstalledAssistant>
}

export interface RunningAssistant extends InstalledAssistant {
  bot: ReturnType<typeof WechatyBuilder.build>
  /** Uninstalls the assistant, then stops the bot. */
  stop(): Promise<void>
}

/** The domain services, from the database, the township config, the outbox and the groups. */
export function buildServices(deps: {
  db: Database
  config: TownshipConfig
  /** The one Township of the process: its roster is replaced when a change commits. */
  township: Township
  /** Called when the roster changes (the Township is refreshed once that committed). */
  rosterChanged?: () => void
  rooms: RoomDirectory
  clock: Clock
  photoDir: string
  /** Where notices and scheduled posts go: the outbox (a recorder in unit tests). */
  outbox: Notifier & PostQueue
  groups: GroupDirectory
  logger: Logger
  /** The database file, the backup folder and the health tracker, for /状态 and the nightly backup. */
  maintenance: { databaseFile: string | undefined; backupDir: string; health: Health; outboxStats: () => Promise<{ pending: number; failed: number }> }
  /** Set on the township that serves a county's group. */
  county?: CountyServing
}): Services {
  const { db, config, clock, outbox, logger, maintenance, township } = deps
  const policy = config.policy
  const ledger = new Ledger(db, clock)
  const roster = new Roster(db, clock, deps.rosterChanged)
  const tips = new TipLibrary(db, clock, loadTipsFile(resolve(projectRoot, config.tipsFile)))
  const campaign = new Campaign(db, clock)
  const county = deps.county?.view({ db, ledger, campaign })
  const schedule = new Schedule({
    campaign,
    backup: { databaseFile: maintenance.databaseFile, dir: maintenance.backupDir },
    db,
    config,
    township,
    groups: deps.groups,
    tips,
    clock,
    queue: outbox,
    logger,
    reportMissed: async (text) => {
      for (const admin of township.admins()) await outbox.send(admin.wechatId, text)
    },
    ...(county && deps.county ? { county: { schedules: deps.county.schedules, bulletin: (week) => county.bulletin(week), assessment: (month) => county.assessment(month) } } : {}),
  })
  return {
    config,
    township,
    roster,
    requests: new RoleRequests(db, clock, township, roster, outbox),
    rooms: deps.rooms,
    imports: new Imports(db, clock),
    sent: new SentMessages(db),
    ledger,
    photos: new PhotoLibrary(db, new PhotoStore(deps.photoDir), clock, { maxBytes: policy.photoMaxMegabytes * 1024 * 1024, maxPixels: 50_000_000 }),
    pairing: new PhotoPairing(db, clock, policy.photoWindowMinutes),
    reports: new Reports(db, clock),
    extensions: new Extensions(db, ledger, clock),
    campaign,
    status: () => statusReport({ db, ...maintenance }),
    exports: {
      ledger: (village) => exportLedger(db, { townshipName: township.name, now: clock(), village }),
      campaign: () => exportCampaign(db, { townshipName: township.name, now: clock(), villages: township.villageNames }),
    },
    schedule,
    tips,
    notify: outbox,
    policy,
    ...(county ? { county } : {}),
  }
}

/**
 * The workflows behind messages that are not commands: photos, files, unbound groups.
 * `transact`: a transaction of its own with services bound to it, for what a workflow sends later
 * (a photo batch's confirmation); by default the root services, with no transaction (tests).
 */
export function messageHooks(
  root: Services,
  logger: Logger,
  quotes: { botNames: () => string[]; commandWords: readonly string[] },
  transact: Transact = (work) => work(root),
): MessageHooks<Services> & { sweepPhotoConfirmations(): Promise<void>; stop(): void } {
  const { intake: photoIntake, sweepConfirmations, stop } = createPhotoIntake(root, logger, transact)
  return {
    sweepPhotoConfirmations: sweepConfirmations,
    stop,
    quote: (message, actor, services) => meaningOfQuote(message, actor, services, { botNames: quotes.botNames(), commandWords: quotes.commandWords }),
    recall: (message, original, actor, services) => undoRecalled(message, original, actor, services),
    photo: (message, actor, services) => photoIntake(message, actor, services),
    file: (message, actor, services) => intakeFile(message, actor, services),
    unboundGroup: (message, services) => unboundGroupMessage(services, { id: message.conversationId, topic: message.where.topic, memberCount: message.where.memberCount }, message.talkerId),
  }
}

/**
 * The assistant as a Wechaty plugin, for a bot built elsewhere: `bot.use(renjuAssistant({ config, databaseUrl }))`.
 *
 * Wechaty installs plugins synchronously, but the set-up (migrations, the database, the roster)
 * takes a second or more. Messages the bot receives meanwhile are held in memory, in order, and
 * handed to the message plugin in the same synchronous step that installs it, before anything
 * newer can arrive; so none is lost or reordered. (They are not stored, as there is no database
 * yet: a process that dies within the set-up loses them, as it would a message in flight.)
 * Other events in that window need nothing held: the login is looked at when the set-up ends,
 * and the rooms are listed then.
 *
 * One plugin value installs on one bot: it owns a database client. Two bots on one SQLite file
 * would answer everything twice; on PostgreSQL several processes may share the database (see
 * the README, "Several processes, one database").
 */
export function renjuAssistant(options: RenjuAssistantOptions): RenjuAssistantPlugin {
  const logger = options.logger ?? createLogger()
  let installed = false
  let settle!: { resolve(a: InstalledAssistant): void; reject(err: unknown): void }
  const ready = new Promise<InstalledAssistant>((resolve, reject) => (settle = { resolve, reject }))
  // A failed set-up is logged below; nobody has to be waiting on ready() for that.
  ready.catch(() => undefined)

  const plugin = (bot: Wechaty) => {
    if (installed) throw new Error('renjuAssistant：同一个插件只能装在一个机器人上（它有自己的数据库）')
    installed = true
    const early: Message[] = []
    const hold = (message: Message) => void early.push(message)
    bot.on('message', hold)
    let uninstalled = false
    /** Installs the message plugin with what was held as its backlog, in one synchronous step. */
    const handOver = (messages: (backlog: Message[]) => WechatyPlugin): (() => void) | void => {
      bot.off('message', hold)
      return messages(early.splice(0))(bot)
    }
    const setUp = installAssistant(bot, { ...options, logger }, handOver, () => uninstalled)
    setUp.then(settle.resolve, (err: unknown) => {
      bot.off('message', hold)
      early.length = 0
      if (!uninstalled) logger.error({ err }, 'assistant set-up failed')
      settle.reject(err)
    })
    return () => {
      uninstalled = true
      bot.off('message', hold)
      void setUp.then(
        (assistant) => assistant.stop(),
        () => undefined,
      )
    }
  }
  return Object.assign(plugin, { ready: () => ready })
}

/** Opens the database and wires the assistant onto `bot`; `handOver` installs the message plugin. */
async function installAssistant(
  bot: Wechaty,
  options: RenjuAssistantOptions & { logger: Logger },
  handOver: (messages: (backlog: Message[]) => WechatyPlugin) => (() => void) | void,
  uninstalled: () => boolean,
): Promise<InstalledAssistant> {
  const clock = options.clock ?? systemClock
  const { logger } = options
  if (options.migrate !== false) await migrate(options.databaseUrl)
  const db = await openDatabase(options.databaseUrl)
  // Photos and backups sit beside a SQLite file; beside PostgreSQL they go under data/.
  const databaseFile = providerOf(options.databaseUrl) === 'sqlite' ? options.databaseUrl.replace(/^file:/, '') : undefined
  const dataDir = databaseFile ? dirname(databaseFile) : 'data'
  const photoDir = options.photoDir ?? join(dataDir, 'photos')
  // On PostgreSQL other processes may share the database: one sends at a time, each message is claimed.
  // Townships sharing a bot account keep its one pace, and its one sending lease.
  const share = options.county?.share
  const account = share ? { leaseDb: await share.account.leaseDatabase(share.seat, db), holder: share.account.holder } : undefined
  const sharedDb = providerOf(options.databaseUrl) === 'postgresql' ? sharing(db, clock, options.leaseSeconds, account) : undefined
  const outbox = new Outbox({ db, clock, pacing: options.config.pacing, logger, lease: sharedDb?.lease, pollMs: sharedDb?.pollMs, ...(share ? { pacer: share.account.pacer } : {}) })
  const sender = new Sender()
  // People and group bindings: the config's seeded into the database, then the database's.
  await db.$transaction(
    async (tx) => {
      await sharedDb?.lockRoster(tx as Database)
      await new Roster(tx as Database, clock).seedFromConfig(options.config)
    },
    { timeout: 60_000 },
  )
  const township = new Township(options.config, await Roster.snapshot(db))
  share?.account.seat(share.seat, township)
  const groups = new WechatyGroups(township)
  const health = new Health(clock)
  const maintenance = { databaseFile, backupDir: options.backupDir ?? join(dataDir, 'backups'), health, outboxStats: () => outbox.stats() }
  const shared = { config: options.config, township, rooms: groups, clock, photoDir, groups, logger, maintenance, county: options.county?.serves }
  const services = buildServices({ db, outbox, ...shared })
  const { policy } = services
  const replyTo = (enqueue: (m: OutgoingMessage) => Promise<unknown>): ReplySink => ({
    send: async (message, reply) => {
      await enqueue({ conversationId: message.conversationId, text: reply.text, mentionIds: reply.mention ? [message.talkerId] : [], file: reply.file, priority: PRIORITY.reply })
    },
  })
  // Each message is handled in one transaction: its changes, its reply and notices in the
  // outbox, and its inbox mark. Notices join the sending loop once the transaction committed,
  // and a changed roster reaches the Township then, taking effect for the next message.
  const inScope: RunInScope<Services> = async (work) => {
    let committed = () => {}
    let rosterChanged = false
    const result = await db.$transaction(
      async (tx) => {
        const txOutbox = outbox.within(tx as Database)
        committed = txOutbox.committed
        const txServices = buildServices({ db: tx as Database, outbox: { ...txOutbox, enqueuePosts: outbox.enqueuePosts.bind(outbox) }, rosterChanged: () => (rosterChanged = true), ...shared })
        return work({ db: tx as Database, services: txServices, replies: replyTo(txOutbox.enqueue) })
      },
      { timeout: 120_000, maxWait: 120_000 },
    )
    committed()
    if (rosterChanged) {
      // Read again on its own, not as part of the work: the work has committed, and a database
      // gone meanwhile must not make the caller run it again (a command done twice, an id skipped).
      const roster = await untilReachable(() => Roster.snapshot(db), (err, attempt, delayMs) => logger.warn({ err, attempt, retryInMs: delayMs }, 'database out of reach: the changed roster waits to be read'))
      township.setRoster(roster)
      options.onRosterChanged?.()
    }
    return result
  }
  const registry = new Registry(commands)
  // The names the bot's messages carry in a quote: its WeChat name, known at login.
  let botNames: string[] = []
  const hooks = messageHooks(services, logger, { botNames: () => botNames, commandWords: registry.words }, (work) => inScope(({ services: scoped }) => work(scoped)))
  const dispatch = createDispatcher({ db, registry, services, hooks, clock, logger, replies: replyTo((m) => outbox.enqueue(m)), inScope, shared: sharedDb?.inbox })
  let stopping: Promise<void> | undefined
  // Settles once the groups seen at the latest login are recorded and the timetable has looked
  // at what is due; a logout makes it wait for the next login.
  let loginSettled = settlement()
  const groupEvents: GroupEvents = {
    // At login the rooms are only recorded (and bound where the config names them); a room the
    // bot was just added to is announced, as is one where something is said while unbound.
    seen: async (rooms, joined) => {
      try {
        await inScope(async ({ services: scoped }) => {
          for (const room of rooms) if (!(await roomSeen(scoped, room)) && joined) await announceUnbound(scoped, room)
        })
      } finally {
        // The timetable starts once the login's groups are bound, so that its first look finds
        // where a post due now goes (a first start, a provider slow to list the groups).
        if (!joined) {
          if (options.schedule !== false && isLoggedIn(bot) && !stopping) await services.schedule.start()
          loginSettled.settle()
        }
      }
    },
    left: (roomId) => inScope(({ services: scoped }) => roomLeft(scoped, roomId)),
  }
  // The first start of a township without an admin: a one-time code makes the first one.
  const setup = await services.roster.setupCode()
  if (setup) {
    const line = `首次使用${options.county ? `（${township.name}）` : ''}：请用乡办公室管理员的微信私聊助手发送 /管理员 ${setup.code}（${Math.round((setup.expiresAt.getTime() - clock().getTime()) / 60_000)} 分钟内有效）`
    console.log(line)
    logger.info({ expiresAt: setup.expiresAt }, line)
  }

  // Uninstalled while the database was opening: leave the bot as it was.
  if (uninstalled()) {
    await db.$disconnect()
    throw new Error('uninstalled before its set-up finished')
  }

  sender.attach(bot)
  groups.attach(bot)
  const photoLimits = { maxBytes: policy.photoMaxMegabytes * 1024 * 1024, downloadMs: policy.photoDownloadSeconds * 1000 }
  const uninstallMessages = handOver((backlog) => assistantPlugin({ dispatch, township, logger, photoLimits, startedAt: clock(), groupEvents, backlog, ...(share ? { owns: (place, topic) => share.account.owns(township, place, topic) } : {}) }))
  const onError = (err: unknown) => {
    logger.error({ err }, 'wechaty error')
    // A broken connection is noticed by the puppet's watchdog, which then logs out and in again.
    health.down()
  }
  // Sending and the timetable run while logged in; what is pending waits in the database meanwhile.
  const onLogin = (user: Contact) => {
    botNames = [user.name()]
    logger.info({ user: user.name() }, 'logged in')
    sharedDb?.lease.setAccount(user.id)
    outbox.start(sender)
    const outage = health.up()
    if (outage && outage.downMs > policy.downNoticeMinutes * 60_000) reportOutage(outage.downSince)
  }
  const onLogout = () => {
    health.down()
    if (loginSettled.settled) loginSettled = settlement()
    services.schedule.stop()
    void outbox.stop()
  }
  bot.on('error', onError)
  bot.on('login', onLogin)
  bot.on('logout', onLogout)

  /** After a long outage: once the backlog has been handled, one message to the admins. */
  function reportOutage(downSince: Date) {
    const timer = setTimeout(() => {
      // Several processes on one account: the one that sends for it tells, the others keep quiet.
      if (!outbox.sending) return
      void (async () => {
        const late = await db.inboxMessage.findMany({ where: { receivedAt: { gte: downSince } }, select: { sentAt: true, receivedAt: true } })
        const lateCount = late.filter((m) => m.receivedAt.getTime() - m.sentAt.getTime() > policy.lateAfterSeconds * 1000).length
        const minutes = Math.round((clock().getTime() - downSince.getTime()) / 60_000)
        const text = `⚠️ 助手与微信的连接中断约 ${minutes} 分钟（${formatDateTime(downSince)} 起），现已恢复。期间的消息 ${lateCount} 条已补办，定时发布已补发。`
        for (const admin of township.admins()) await outbox.send(admin.wechatId, text)
      })().catch((err: unknown) => logger.error({ err }, 'outage report failed'))
    }, policy.outageReportDelaySeconds * 1000)
    timer.unref()
  }
  // Held 已完成 whose photo never came; photo confirmations owed and due (after a restart too).
  const sweep = async () => {
    await sweepPhotoWindows(services)
    await hooks.sweepPhotoConfirmations()
  }
  const sweeper = setInterval(() => sweep().catch((err: unknown) => logger.error({ err }, 'photo window sweep failed')), 30_000)
  sweeper.unref()
  // What a restart left owed is sent now, not half a minute later.
  sweep().catch((err: unknown) => logger.error({ err }, 'photo window sweep failed'))

  // Self-check: the puppet's watchdog resets a silent connection, but a bot can still end up
  // logged out for good, or "logged in" while nothing it sends gets through (wechaty #2442).
  // Then restart the puppet, waiting longer after each try (1, 2, 4 … 30 minutes).
  let restarts = 0
  let nextRestartAt = 0
  const selfCheck = async () => {
    const now = clock().getTime()
    const { connected, since } = health.state
    const oldest = await db.outboxMessage.findFirst({ where: { status: 'pending' }, orderBy: { createdAt: 'asc' }, select: { createdAt: true } })
    const deaf = !connected && now - since.getTime() > policy.selfCheckMinutes * 60_000
    // (another process sending the outbox, this one's connection is not what holds it up)
    const mute = connected && outbox.sending && oldest !== null && now - oldest.createdAt.getTime() > policy.selfCheckMinutes * 60_000
    if (!deaf && !mute) {
      restarts = 0
      return
    }
    if (now < nextRestartAt) return
    restarts++
    nextRestartAt = now + Math.min(30, 2 ** (restarts - 1)) * 60_000
    logger.warn({ deaf, mute, restarts }, 'self-check: restarting the WeChat connection')
    await bot.stop()
    await bot.start()
  }
  const checker = setInterval(() => selfCheck().catch((err: unknown) => logger.error({ err }, 'self-check failed')), policy.selfCheckSeconds * 1000)
  checker.unref()

  // Mounted on a bot already logged in (someone's running bot, or a login during the set-up).
  if (isLoggedIn(bot)) onLogin(bot.currentUser)

  return {
    db,
    ledger: services.ledger,
    township: services.township,
    services,
    sweepPhotoWindows: sweep,
    health,
    outbox,
    loginSettled: () => loginSettled.promise,
    stop: () =>
      // Once: Wechaty's uninstaller and its owner may both ask.
      (stopping ??= (async () => {
        uninstallMessages?.()
        await dispatch.stop()
        bot.off('error', onError)
        bot.off('login', onLogin)
        bot.off('logout', onLogout)
        clearInterval(sweeper)
        hooks.stop()
        clearInterval(checker)
        services.schedule.stop()
        await outbox.stop()
        await disconnected(db, logger)
      })()),
  }
}

/** A promise settled from outside, once. */
function settlement(): { promise: Promise<void>; settle(): void; settled: boolean } {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  const it = {
    promise,
    settled: false,
    settle() {
      it.settled = true
      resolve()
    },
  }
  return it
}

/**
 * Closes the database, waiting at most 5 s: a PostgreSQL connection the server dropped (a restart,
 * the network) can stay in pg's pool, and closing it never settles.
 */
async function disconnected(db: Database, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5000)))
  const outcome = await Promise.race([db.$disconnect(), late])
  clearTimeout(timer)
  if (outcome === 'late') logger.warn('database connections did not close within 5 s (a dropped PostgreSQL connection); stopping anyway')
}

/** Builds a bot on `options.puppet` with the assistant installed, and starts it. */
export async function startAssistant(options: AssistantOptions): Promise<RunningAssistant> {
  const bot = WechatyBuilder.build({ name: 'renju-assistant', puppet: options.puppet })
  const plugin = renjuAssistant(options)
  bot.use(plugin)
  const assistant = await plugin.ready()
  await bot.start()
  return {
    ...assistant,
    bot,
    async stop() {
      await assistant.stop()
      await bot.stop()
    },
  }
}

/** What a county's start needs: its config and database, and a puppet for each bot account. */
export interface CountyStartOptions {
  county: CountyConfig
  /** The county's database: one PostgreSQL database (a schema per township), or a SQLite file whose folder gets one file per township. */
  databaseUrl: string
  /** Photos and backups go into a folder per township under these. */
  photoDir: string
  backupDir?: string
  /** A puppet for the account of these townships (the ones sharing its token). */
  puppetFor(townships: CountyTownshipConfig[]): Puppet
  clock?: Clock
  logger?: Logger
  /** Apply pending migrations first (default true). */
  migrate?: boolean
  schedule?: boolean
  /** See RenjuAssistantOptions.leaseSeconds. */
  leaseSeconds?: number
}

export interface RunningCounty {
  /** Each township's assistant, in the config's order. */
  townships: (InstalledAssistant & { code: string })[]
  /** One bot per account. */
  bots: ReturnType<typeof WechatyBuilder.build>[]
  stop(): Promise<void>
}

/**
 * A county: every township an assistant of its own on its own records, one bot per bot account
 * (townships that share a token share its bot, each taking its own groups' messages), and the
 * county's figures on the township whose account serves the county group.
 */
export async function startCounty(options: CountyStartOptions): Promise<RunningCounty> {
  const { county: config } = options
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? createLogger()
  // Filled once every township is set up; read only when the county's figures are asked for.
  const members: CountyTownship[] = []
  const serves: CountyServing = {
    schedules: config.county.schedules,
    view(own) {
      // Built when asked: the services are built before every township is set up.
      const figures = () => new CountyFigures({ name: config.county.name, townships: members.map((m) => (m.code === config.host ? { ...m, ...own } : m)) }, clock)
      return {
        name: config.county.name,
        townshipNames: config.townships.map((t) => t.config.township.name),
        statsText: (name) => figures().statsText(name),
        rankingText: (month) => figures().rankingText(month),
        workbook: () => figures().workbook(),
        bulletin: (week) => figures().bulletinMessage(week),
        assessment: async (month) => ({ text: await figures().assessmentText(month) }),
      }
    },
  }
  const accounts = new Map<string, CountyTownshipConfig[]>()
  for (const t of config.townships) {
    const key = `${t.token ?? ''}|${t.endpoint ?? ''}`
    accounts.set(key, [...(accounts.get(key) ?? []), t])
  }
  // One after another: Prisma's migrations take one lock per database, so townships' schemas in
  // one PostgreSQL database cannot be migrated at the same time.
  if (options.migrate !== false) for (const t of config.townships) await migrate(townshipDatabaseUrl(options.databaseUrl, t.code))
  const bots: RunningCounty['bots'] = []
  const plugins: { code: string; plugin: RenjuAssistantPlugin }[] = []
  for (const townships of accounts.values()) {
    const bot = WechatyBuilder.build({ name: `renju-${townships.map((t) => t.code).join('-')}`, puppet: options.puppetFor(townships) })
    const account = townships.length > 1 ? new AccountShare(townships.length, townships[0]!.config.pacing) : undefined
    townships.forEach((t, seat) => {
      const plugin = renjuAssistant({
        config: t.config,
        databaseUrl: townshipDatabaseUrl(options.databaseUrl, t.code),
        photoDir: join(options.photoDir, t.code),
        ...(options.backupDir ? { backupDir: join(options.backupDir, t.code) } : {}),
        clock,
        logger: logger.child({ township: t.code }),
        migrate: false,
        ...(options.schedule === false ? { schedule: false } : {}),
        ...(options.leaseSeconds ? { leaseSeconds: options.leaseSeconds } : {}),
        county: { ...(account ? { share: { account, seat } } : {}), ...(t.code === config.host ? { serves } : {}) },
      })
      bot.use(plugin)
      plugins.push({ code: t.code, plugin })
    })
    bots.push(bot)
  }
  const installed = await Promise.all(plugins.map(async ({ code, plugin }) => ({ code, ...(await plugin.ready()) })))
  const byCode = new Map(installed.map((a) => [a.code, a]))
  for (const t of config.townships) {
    const a = byCode.get(t.code)!
    members.push({ code: t.code, name: t.config.township.name, config: t.config, db: a.db, township: a.township, ledger: a.services.ledger, campaign: a.services.campaign })
  }
  await Promise.all(bots.map((bot) => bot.start()))
  return {
    townships: config.townships.map((t) => byCode.get(t.code)!),
    bots,
    async stop() {
      await Promise.all(installed.map((a) => a.stop()))
      await Promise.all(bots.map((bot) => bot.stop()))
    },
  }
}
