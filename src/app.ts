// Builds the running assistant from its parts: database, township, ledger, commands, bot.
import { WechatyBuilder } from 'wechaty'
import { commands } from '../commands/index.ts'
import { assistantPlugin } from './bot/assistant.ts'
import { Sender } from './bot/sender.ts'
import type { TownshipConfig } from './config/schema.ts'
import { Township } from './config/township.ts'
import { migrate, openDatabase, type Database } from './db/index.ts'
import { Ledger } from './ledger/index.ts'
import { createLogger, type Logger } from './log.ts'
import { PhotoLibrary, PhotoPairing, PhotoStore } from './photos/index.ts'
import { createDispatcher, Registry, type Notifier, type Services } from './registry/index.ts'
import { Reports } from './reports/reports.ts'
import { sweepPhotoWindows } from './workflow/photo-reminders.ts'
import { systemClock, type Clock } from './time.ts'

type Puppet = NonNullable<Parameters<typeof WechatyBuilder.build>[0]>['puppet']

export interface AssistantOptions {
  config: TownshipConfig
  /** SQLite `file:` URL. */
  databaseUrl: string
  /** Folder for photo files (content-addressed). */
  photoDir: string
  puppet: Puppet
  clock?: Clock
  logger?: Logger
  /** Apply pending migrations first (default true). */
  migrate?: boolean
}

export interface RunningAssistant {
  bot: ReturnType<typeof WechatyBuilder.build>
  db: Database
  ledger: Ledger
  township: Township
  services: Services
  /** Reminds about held 已完成 whose photo never came; runs every half minute, callable in tests. */
  sweepPhotoWindows(): Promise<void>
  stop(): Promise<void>
}

/** The domain services, from the database, the township config and a way to send notices. */
export function buildServices(deps: { db: Database; config: TownshipConfig; clock: Clock; photoDir: string; notify: Notifier }): Services {
  const { db, config, clock } = deps
  const policy = config.policy
  return {
    township: new Township(config),
    ledger: new Ledger(db, clock),
    photos: new PhotoLibrary(db, new PhotoStore(deps.photoDir), clock, { maxBytes: policy.photoMaxMegabytes * 1024 * 1024, maxPixels: 50_000_000 }),
    pairing: new PhotoPairing(db, clock, policy.photoWindowMinutes),
    reports: new Reports(db, clock),
    notify: deps.notify,
    policy,
  }
}

export async function startAssistant(options: AssistantOptions): Promise<RunningAssistant> {
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? createLogger()
  if (options.migrate !== false) await migrate(options.databaseUrl)
  const db = await openDatabase(options.databaseUrl)
  const sender = new Sender(logger)
  const services = buildServices({ db, config: options.config, clock, photoDir: options.photoDir, notify: sender })
  const { township, ledger, policy } = services
  const dispatch = createDispatcher({ db, registry: new Registry(commands), services, clock, logger })

  const bot = WechatyBuilder.build({ name: 'renju-assistant', puppet: options.puppet })
  const photoLimits = { maxBytes: policy.photoMaxMegabytes * 1024 * 1024, downloadMs: policy.photoDownloadSeconds * 1000 }
  bot.use(assistantPlugin({ dispatch, township, sender, logger, photoLimits }))
  bot.on('error', (err) => logger.error({ err }, 'wechaty error'))
  bot.on('login', (user) => logger.info({ user: user.name() }, 'logged in'))
  await bot.start()

  const sweep = () => sweepPhotoWindows(services)
  const sweeper = setInterval(() => sweep().catch((err: unknown) => logger.error({ err }, 'photo window sweep failed')), 30_000)
  sweeper.unref()

  return {
    bot,
    db,
    ledger,
    township,
    services,
    sweepPhotoWindows: sweep,
    async stop() {
      clearInterval(sweeper)
      await bot.stop()
      await db.$disconnect()
    },
  }
}
