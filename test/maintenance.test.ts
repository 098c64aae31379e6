// The nightly backup (through the timetable), restoring from it, pruning, and /状态.
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../src/db/index.ts'
import { ADMIN, dispatcherFixture, SECRETARY } from './support/dispatcher.ts'

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>

describe('backups and status', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  it('backs up the database at night, once, and a backup restores every record', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', '卫华村')
    await f.say(SECRETARY, '/清运 垃圾12吨', '卫华村')
    f.clock.set(new Date('2026-11-30T19:00:05Z')) // 03:00:05 on 12月1日 in Shanghai
    await f.services.schedule.check()
    await f.services.schedule.check()
    const dir = f.maintenance.backupDir
    expect(readdirSync(dir).sort()).toEqual(['photos-2026-12-01.json', 'renju-2026-12-01.sqlite'])
    expect(JSON.parse(readFileSync(join(dir, 'photos-2026-12-01.json'), 'utf8'))).toMatchObject({ count: 0 })

    // Restore: the backup file becomes the database of a new start.
    const restored = join(mkdtempSync(join(tmpdir(), 'renju-restore-')), 'renju.sqlite')
    copyFileSync(join(dir, 'renju-2026-12-01.sqlite'), restored)
    const db = await openDatabase('file:' + restored)
    expect(await db.problem.findUnique({ where: { id: 1 } })).toMatchObject({ description: '三组路边垃圾堆放', village: '卫华村' })
    expect(await db.recordFigure.findFirst()).toMatchObject({ figure: 'garbage', value: 12 })
    await db.$disconnect()

    expect(await f.say(ADMIN, '/状态')).toMatch(/最近备份：\d+月\d+日 \d\d:\d\d/)
  })

  it('keeps the configured number of days of backups', async () => {
    const dir = f.maintenance.backupDir
    writeFileSync(join(dir, 'renju-2026-10-01.sqlite'), 'old')
    writeFileSync(join(dir, 'photos-2026-10-01.json'), '{}')
    writeFileSync(join(dir, 'notes.txt'), 'not a backup')
    f.clock.set(new Date('2026-11-30T19:00:05Z'))
    await f.services.schedule.check()
    expect(existsSync(join(dir, 'renju-2026-10-01.sqlite'))).toBe(false)
    expect(existsSync(join(dir, 'photos-2026-10-01.json'))).toBe(false)
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true)
  })

  it('answers /状态 for admins only', async () => {
    await f.say(SECRETARY, '/台账', '卫华村')
    const status = await f.say(ADMIN, '/状态')
    expect(status).toContain('🩺 助手运行状态')
    expect(status).toContain('微信连接：中断')
    expect(status).toContain('待发消息 0 条')
    expect(status).toMatch(/最后收到：\d+月\d+日/)
    expect(await f.say(SECRETARY, '/状态', '卫华村')).toContain('只有乡办公室管理员可以使用')
  })
})
