// Composition root: reads the environment once, then runs the assistant on real WeChat
// (with a puppet-service token, or any puppet named by WECHATY_PUPPET) or in the local sandbox.
import { startAssistant, startCounty } from './app.ts'
import { choosePuppet, SERVICE_PUPPET, servicePuppet } from './bot/puppet.ts'
import { readEnvironment } from './config/env.ts'
import { loadConfig } from './config/county.ts'
import { sqliteUrl } from './db/index.ts'
import { createLogger } from './log.ts'
import type { Sandbox } from './sandbox/sandbox.ts'
import type { TownshipConfig } from './config/schema.ts'

const env = readEnvironment()
const choice = choosePuppet(env)
// In the sandbox the demo conversation is the output; logs stay quiet unless asked for.
const logger = createLogger(process.env.LOG_LEVEL || choice.kind !== 'sandbox' ? env.LOG_LEVEL : 'warn')
const loaded = loadConfig(env.RENJU_CONFIG)
// A dependency that throws where nothing can catch it (puppet resets, cf. wechaty #2197) must not
// end a bot meant to run all winter: log it and carry on; the watchdog reconnects.
process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'))
process.on('uncaughtException', (err) => logger.error({ err }, 'uncaught exception'))

if (loaded.kind === 'county') {
  // A county: each township's own account (its token, or the environment's), one bot per account.
  const { county } = loaded
  const missing = county.townships.filter((t) => !t.token && !env.WECHATY_PUPPET_SERVICE_TOKEN).map((t) => t.code)
  if (missing.length > 0) {
    console.error(`助手没有启动：县级配置 ${env.RENJU_CONFIG} 里的乡镇 ${missing.join('、')} 没有写 token，也没有设置 WECHATY_PUPPET_SERVICE_TOKEN（县级配置没有本地沙盒）`)
    process.exit(1)
  }
  logger.info({ config: env.RENJU_CONFIG, townships: county.townships.map((t) => t.code) }, `连接真实微信：${county.county.name}，${county.townships.length} 个乡镇`)
  const running = await startedOrExit(startCounty({
    county,
    databaseUrl: env.DATABASE_URL ?? sqliteUrl('data/renju.sqlite'),
    photoDir: env.RENJU_PHOTO_DIR,
    backupDir: env.RENJU_BACKUP_DIR,
    leaseSeconds: env.RENJU_LEASE_SECONDS,
    puppetFor: ([first]) => servicePuppet({
      ...env,
      WECHATY_PUPPET_SERVICE_TOKEN: first!.token ?? env.WECHATY_PUPPET_SERVICE_TOKEN!,
      WECHATY_PUPPET_SERVICE_ENDPOINT: first!.endpoint ?? env.WECHATY_PUPPET_SERVICE_ENDPOINT,
    }),
    logger,
  }))
  stopOnSignal(running.stop)
} else if (choice.kind === 'wechat') {
  const { config } = loaded
  const endpoint = choice.name === SERVICE_PUPPET ? { endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT ?? '(discovery)' } : {}
  logger.info({ config: env.RENJU_CONFIG, ...endpoint }, `连接真实微信（${choice.name}）`)
  const assistant = await startedOrExit(startAssistant({
    config,
    databaseUrl: env.DATABASE_URL ?? sqliteUrl('data/renju.sqlite'),
    photoDir: env.RENJU_PHOTO_DIR,
    backupDir: env.RENJU_BACKUP_DIR,
    puppet: choice.puppet,
    logger,
    leaseSeconds: env.RENJU_LEASE_SECONDS,
  }))
  stopOnSignal(assistant.stop)
} else {
  const { config } = loaded
  // The sandbox has its own database file (with its photos and backups beside it), laid anew at
  // each start and each reset from the page, so it never touches production records.
  const sandboxDb = env.RENJU_SANDBOX_DB
  const why = env.WECHATY_PUPPET ? `WECHATY_PUPPET=${env.WECHATY_PUPPET}` : '未设置 WECHATY_PUPPET_SERVICE_TOKEN'
  console.log(`本地沙盒：${why}，用模拟微信运行（配置 ${env.RENJU_CONFIG}，数据库 ${sandboxDb}）`)
  const databaseUrl = sqliteUrl(sandboxDb)
  if (databaseUrl === (env.DATABASE_URL?.startsWith('file:') ? sqliteUrl(env.DATABASE_URL.slice('file:'.length)) : sqliteUrl('data/renju.sqlite'))) {
    throw new Error(`RENJU_SANDBOX_DB（${sandboxDb}）指向正式数据库：沙盒每次启动都会清空它的数据库，请换一个文件`)
  }
  // Loaded here: the mock WeChat, the web server and the page cost a start on real WeChat ~0.5 s and ~16 MB.
  const { startWebSandbox } = await import('./sandbox/server.ts')
  const web = await startWebSandbox({
    config,
    databaseUrl,
    photoDir: databaseUrl.slice('file:'.length) + '-photos',
    backupDir: databaseUrl.slice('file:'.length) + '-backups',
    port: env.RENJU_SANDBOX_PORT,
    // The default port may be taken (another sandbox, a test run): then any free one; a port asked for is kept to.
    portFallback: process.env.RENJU_SANDBOX_PORT === undefined,
    host: env.RENJU_SANDBOX_HOST,
    logger,
  })
  stopOnSignal(web.stop)
  // The console demo is not paced (it is a printout); everything after it, on the page too, is
  // paced as in WeChat by the config's pacing.
  if (!env.RENJU_NO_DEMO) await web.unpaced((sandbox) => playDemo(sandbox, config))
  console.log(`\n沙盒网页：${web.url}（在浏览器里打开，以任何人的身份发消息）`)
  console.log('沙盒运行中，按 Ctrl+C 退出。接入真实微信：设置 WECHATY_PUPPET_SERVICE_TOKEN 后重新 npm start。')
}

/**
 * A start that fails (the database unreachable, a migration that failed) ends the process with its
 * reason in plain words on stderr and a non-zero status, rather than a logged rejection and exit 0.
 */
async function startedOrExit<T>(starting: Promise<T>): Promise<T> {
  try {
    return await starting
  } catch (err) {
    logger.fatal({ err }, 'start failed')
    console.error(`助手没有启动：${(err as Error).message}`)
    process.exit(1)
  }
}

/** A short conversation from the example township, printed line by line. */
async function playDemo(sandbox: Sandbox, config: TownshipConfig): Promise<void> {
  const person = (id: string) => config.people.find((p) => p.wechatId === id)
  const village = config.groups.find((g) => g.village === '卫华村')?.topic
  const township = config.groups.find((g) => g.scope === 'township')?.topic
  const secretary = config.people.find((p) => p.role === 'village' && p.villages.includes('卫华村'))
  const resident = config.people.find((p) => p.role === 'resident' && p.villages.includes('卫华村'))
  const office = config.people.find((p) => p.role === 'admin')
  if (!village || !township || !secretary || !resident || !office) return
  const script: [string, string, string][] = [
    [secretary.wechatId, village, '/问题 卫华村 三组路边垃圾堆放 限期5天'],
    [resident.wechatId, village, '/整改 卫华村 已完成'],
    [secretary.wechatId, village, '/整改 卫华村 已完成'],
    [office.wechatId, township, '/统计'],
  ]
  console.log('\n—— 演示对话 ——')
  for (const [who, topic, text] of script) {
    console.log(`\n【${topic}】${person(who)?.name}：${text}`)
    for (const reply of await sandbox.say(who, topic, text)) console.log(`【${topic}】整治助手：${reply}`)
  }
}

function stopOnSignal(stop: () => Promise<void>): void {
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
}
