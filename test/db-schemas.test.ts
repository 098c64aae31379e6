// A county's townships on one PostgreSQL database: each in its own schema, by `?schema=` in the URL.
import { describe, expect, inject, it } from 'vitest'
import { migrate, openDatabase, withSchema } from '../src/db/index.ts'
import { copyDatabase } from '../src/db/copy.ts'
import { freshDatabase } from './support/db.ts'
import { createDatabase, dropDatabase, onServer } from './support/postgres.ts'

describe('townships in schemas of one PostgreSQL database', () => {
  it('are migrated each into its own schema, and see only their own rows', async () => {
    const server = inject('postgresServer')
    const url = await createDatabase(server)
    const east = withSchema(url, 'dongxiang')
    const west = withSchema(url, 'xixiang')
    try {
      expect(await migrate(east)).toBe('applied')
      expect(await migrate(west)).toBe('applied')
      expect(await migrate(east)).toBe('current')
      const tables = await onServer(url, async (c) => (await c.query(`SELECT table_schema, count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('Problem', '_prisma_migrations') GROUP BY table_schema ORDER BY table_schema`)).rows)
      expect(tables).toEqual([{ table_schema: 'dongxiang', n: 2 }, { table_schema: 'xixiang', n: 2 }])

      const eastDb = await openDatabase(east)
      const westDb = await openDatabase(west)
      try {
        const at = new Date('2026-12-01T02:00:00Z')
        await eastDb.problem.create({ data: { village: '东村', category: '垃圾', description: '垃圾', source: '巡查', reporterId: 'a', reporterName: '甲', status: '未整改', createdAt: at, updatedAt: at } })
        // Raw SQL runs in the township's schema too.
        expect(await eastDb.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "Problem"')).toEqual([{ n: 1 }])
        expect(await westDb.problem.count()).toBe(0)
        expect(await westDb.$queryRawUnsafe<{ n: number }[]>('SELECT count(*)::int AS n FROM "Problem"')).toEqual([{ n: 0 }])
      } finally {
        await eastDb.$disconnect()
        await westDb.$disconnect()
      }
    } finally {
      await dropDatabase(server, url)
    }
  })

  it('take a township copied from its SQLite file into its county schema, numbers continuing', async () => {
    const server = inject('postgresServer')
    const url = await createDatabase(server)
    const { db: sqlite, url: from } = await freshDatabase('sqlite')
    try {
      const at = new Date('2026-12-01T02:00:00Z')
      for (const description of ['垃圾', '柴草']) await sqlite.problem.create({ data: { village: '东村', category: '垃圾', description, source: '巡查', reporterId: 'a', reporterName: '甲', status: '未整改', createdAt: at, updatedAt: at } })
      await sqlite.$disconnect()
      const to = withSchema(url, 'dongxiang')
      await copyDatabase({ from, to })
      const copied = await openDatabase(to)
      try {
        expect((await copied.problem.findMany({ orderBy: { id: 'asc' } })).map((p) => [p.id, p.description])).toEqual([[1, '垃圾'], [2, '柴草']])
        const next = await copied.problem.create({ data: { village: '东村', category: '垃圾', description: '污水', source: '巡查', reporterId: 'a', reporterName: '甲', status: '未整改', createdAt: at, updatedAt: at } })
        expect(next.id).toBe(3)
      } finally {
        await copied.$disconnect()
      }
      // Nothing landed in the public schema.
      expect(await onServer(url, async (c) => (await c.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'`)).rows[0].n)).toBe(0)
    } finally {
      await dropDatabase(server, url)
    }
  })

  it('refuse a schema name that is not plain lower-case ascii', async () => {
    await expect(migrate(withSchema('postgresql://u@127.0.0.1:1/x', 'Dong; DROP'))).rejects.toThrow(/只能用小写字母、数字和下划线/)
  })
})
