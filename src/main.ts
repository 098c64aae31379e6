// Composition root: reads the environment once, then runs the assistant on real WeChat
// (with a puppet-service token) or in the local sandbox (without one).
import { rmSync } from 'node:fs'
import { startAssistant } from './app.ts'
import { servicePuppet } from './bot/puppet.ts'
import { createSandbox } from './bot/sandbox.ts'
import { readEnvironment } from './config/env.ts'
import { loadTownshipConfig } from './config/load.ts'
import { sqliteUrl } from './db/index.ts'
import { createLogger } from './log.ts'

const env = readEnvironment()
const token = env.WECHATY_PUPPET_SERVICE_TOKEN
// In the sandbox the demo conversation is the output; logs stay quiet unless asked for.
const logger = createLogger(process.env.LOG_LEVEL || token ? env.LOG_LEVEL : 'warn')
const config = loadTownshipConfig(env.RENJU_CONFIG)

if (token) {
  logger.info({ config: env.RENJU_CONFIG, endpoint: env.WECHATY_PUPPET_SERVICE_ENDPOINT ?? '(discovery)' }, '连接真实微信（wechaty-puppet-service）')
  const assistant = await startAssistant({
    config,
    databaseUrl: env.DATABASE_URL ?? sqliteUrl('data/renju.sqlite'),
    photoDir: env.RENJU_PHOTO_DIR,
    backupDir: env.RENJU_BACKUP_DIR,
    puppet: servicePuppet({ ...env, WECHATY_PUPPET_SERVICE_TOKEN: token }),
    logger,
  })
  stopOnSignal(assistant.stop)
} else {
  // The sandbox has its own database file, laid anew each start, so it never touches production records.
  const sandboxDb = env.RENJU_SANDBOX_DB
  console.log(`本地沙盒：未设置 WECHATY_PUPPET_SERVICE_TOKEN，用模拟微信运行（配置 ${env.RENJU_CONFIG}，数据库 ${sandboxDb}）`)
  for (const suffix of ['', '-wal', '-shm']) rmSync(sqliteUrl(sandboxDb).slice(5) + suffix, { force: true })
  const photoDir = sqliteUrl(sandboxDb).slice(5) + '-photos'
  rmSync(photoDir, { recursive: true, force: true })
  // The sandbox is not WeChat: no need to pace replies like a careful human.
  config.pacing = { ...config.pacing, sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000 }
  const sandbox = createSandbox(config)
  const assistant = await startAssistant({ config, databaseUrl: sqliteUrl(sandboxDb), photoDir, puppet: sandbox.puppet, logger })
  sandbox.login()
  stopOnSignal(assistant.stop)
  if (!env.RENJU_NO_DEMO) await playDemo(sandbox)
  console.log('\n沙盒运行中，按 Ctrl+C 退出。接入真实微信：设置 WECHATY_PUPPET_SERVICE_TOKEN 后重新 npm start。')
}

/** A short conversation from the example township, printed line by line. */
async function playDemo(sandbox: ReturnType<typeof createSandbox>): Promise<void> {
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
