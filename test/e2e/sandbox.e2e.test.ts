// `npm start` without a WeChat token: the composition root starts the local sandbox and
// plays the demo conversation. Runs the real entry point in a child process.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

describe('npm start without a token', () => {
  it('says it is a sandbox in its first line and plays the demo with real replies', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, RENJU_SANDBOX_DB: join(mkdtempSync(join(tmpdir(), 'renju-sandbox-')), 'sandbox.sqlite') }
    delete env.WECHATY_PUPPET_SERVICE_TOKEN
    delete env.LOG_LEVEL
    const child = spawn(join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], { cwd: root, env })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
    const started = await new Promise<boolean>((done) => {
      const timer = setTimeout(() => done(false), 25_000)
      child.stdout.on('data', () => out.includes('沙盒运行中') && (clearTimeout(timer), done(true)))
    })
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    child.kill('SIGTERM')
    expect(started, out).toBe(true)
    expect(out.split('\n')[0]).toMatch(/^本地沙盒：未设置 WECHATY_PUPPET_SERVICE_TOKEN/)
    expect(out).toContain('赵德明：/问题 卫华村 三组路边垃圾堆放 限期5天')
    expect(out).toContain('整治助手：@赵德明 📝 已登记 #1 卫华村：三组路边垃圾堆放')
    expect(out).toContain('整治助手：@张大爷 抱歉，/整改 只有')
    expect(out).toContain('#1 卫华村 三组路边垃圾堆放：待整改 → 已完成')
    expect(out).toContain('汇集问题 1 条，已完成整改 1 条')
    expect(await exited).toBe(0)
  })
})
