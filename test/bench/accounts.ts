// Benchmark: a county of 20 townships, each on its own bot account, in one process, over the
// real gRPC transport (20 mock WeChat services in this same process). Messages per second with
// one message in flight per account, and memory per account (RSS before and after the county
// started, divided by 20; the mock services' own memory is included, so it is an upper bound).
//
//   npx tsx test/bench/accounts.ts        (part of npm run bench)
process.env.LOG_LEVEL = 'silent'
process.env.WECHATY_LOG = 'silent'

import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { CountyConfig } from '../../src/config/county.ts'

const { parseCountyConfig } = await import('../../src/config/county.ts')
const { migrate, townshipDatabaseUrl } = await import('../../src/db/index.ts')
const { startWireCounty } = await import('../support/wire-county.ts')
const { startTestPostgres, createDatabase, dropDatabase } = await import('../support/postgres.ts')

const ACCOUNTS = 20
const PER_ACCOUNT = 50

function county(): CountyConfig {
  const townships = Array.from({ length: ACCOUNTS }, (_, i) => {
    const n = String(i + 1).padStart(2, '0')
    return [
      `  - code: t${n}`,
      `    township: { name: 测试${n}乡 }`,
      `    villages: [{ name: 测试${n}村 }]`,
      `    groups:`,
      `      - { topic: 测试${n}乡工作群, scope: township }`,
      `      - { topic: 测试${n}村群, scope: village, village: 测试${n}村 }`,
      `    people: [{ name: 测试${n}书记, wechatId: wxid_sec_${n}, role: village, villages: [测试${n}村] }]`,
      `    pacing: { sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1000000 }`,
      `    policy: { perSenderPerMinute: 1000000, perGroupPerMinute: 1000000, duplicateWindowSeconds: 0 }`,
    ].join('\n')
  })
  return parseCountyConfig(`county: { name: 测试县 }\ntownships:\n${townships.join('\n')}\n`, 'bench-county.yaml')
}

async function run(provider: 'sqlite' | 'postgresql', databaseUrl: string) {
  const config = county()
  // A county's first start migrates each township's schema (or file) in turn; later starts find them current.
  const migrating = performance.now()
  for (const t of config.townships) await migrate(townshipDatabaseUrl(databaseUrl, t.code))
  const migrateMs = performance.now() - migrating
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {})
  const used = () => {
    gc()
    const m = process.memoryUsage()
    return m.heapUsed + m.external
  }
  const before = used()
  const started = performance.now()
  const c = await startWireCounty(config, { provider, databaseUrl })
  const startMs = performance.now() - started
  const after = used()
  const latencies: number[] = []
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: ACCOUNTS }, async (_, i) => {
      const n = String(i + 1).padStart(2, '0')
      for (let k = 0; k < PER_ACCOUNT; k++) {
        const sent = performance.now()
        const reply = await c.say(`wxid_sec_${n}`, `测试${n}村群`, `/问题 测试${n}村 第${k + 1}处路边垃圾`, 30_000)
        if (!reply.text.includes(`已登记 #${k + 1} `)) throw new Error(`t${n}: unexpected reply ${reply.text}`)
        latencies.push(performance.now() - sent)
      }
    }),
  )
  const seconds = (performance.now() - t0) / 1000
  const peak = process.memoryUsage().rss
  await c.close()
  latencies.sort((a, b) => a - b)
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1)
  console.log(
    `${provider.padEnd(10)}  first migration ${(migrateMs / 1000).toFixed(1)} s, start ${(startMs / 1000).toFixed(1)} s  ${(latencies.length / seconds).toFixed(0)} msgs/s (${ACCOUNTS} accounts, 1 in flight each)  p50 ${at(50)} ms  p99 ${at(99)} ms  ` +
      `heap+external ${((after - before) / ACCOUNTS / 1048576).toFixed(1)} MB per account (its assistant, bot and mock service), RSS ${(peak / 1048576).toFixed(0)} MB after the run`,
  )
}

console.log(`\n${ACCOUNTS} bot accounts (a township each) in one process — /问题 said in each account's village group → reply seen there`)
const dir = mkdtempSync(join(os.tmpdir(), 'renju-bench-accounts-'))
try {
  await run('sqlite', 'file:' + join(dir, 'county.sqlite'))
  const server = await startTestPostgres()
  try {
    const url = await createDatabase(server.url)
    await run('postgresql', url)
    await dropDatabase(server.url, url)
  } finally {
    await server.stop()
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
