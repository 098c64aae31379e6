// A county's townships on one PostgreSQL database: each in its own schema, by `?schema=` in the URL.
import { describe, expect, inject, it } from 'vitest'
import { migrate, openDatabase, withSchema } from '../src/db/index.ts'
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

  it('refuse a schema name that is not plain lower-case ascii', async () => {
    await expect(migrate(withSchema('postgresql://u@127.0.0.1:1/x', 'Dong; DROP'))).rejects.toThrow(/只能用小写字母、数字和下划线/)
  })
})
