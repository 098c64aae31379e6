// Builds the running assistant from its parts: database, township, ledger, commands, bot.
import { WechatyBuilder } from 'wechaty'
import { commands } from '../commands/index.ts'
import { assistantPlugin } from './bot/assistant.ts'
import type { TownshipConfig } from './config/schema.ts'
import { Township } from './config/township.ts'
import { migrate, openDatabase, type Database } from './db/index.ts'
import { Ledger } from './ledger/index.ts'
import { createLogger, type Logger } from './log.ts'
import { createDispatcher, Registry } from './registry/index.ts'
import { systemClock, type Clock } from './time.ts'

type Puppet = NonNullable<Parameters<typeof WechatyBuilder.build>[0]>['puppet']

export interface AssistantOptions {
  config: TownshipConfig
  /** SQLite `file:` URL. */
  databaseUrl: string
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
  stop(): Promise<void>
}

export async function startAssistant(options: AssistantOptions): Promise<RunningAssistant> {
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? createLogger()
  if (options.migrate !== false) await migrate(options.databaseUrl)
  const db = await openDatabase(options.databaseUrl)
  const township = new Township(options.config)
  const ledger = new Ledger(db, clock)
  const registry = new Registry(commands)
  const dispatch = createDispatcher({ db, registry, services: { township, ledger, policy: options.config.policy }, clock, logger })

  const bot = WechatyBuilder.build({ name: 'renju-assistant', puppet: options.puppet })
  bot.use(assistantPlugin({ dispatch, township, logger }))
  bot.on('error', (err) => logger.error({ err }, 'wechaty error'))
  bot.on('login', (user) => logger.info({ user: user.name() }, 'logged in'))
  await bot.start()

  return {
    bot,
    db,
    ledger,
    township,
    async stop() {
      await bot.stop()
      await db.$disconnect()
    },
  }
}
