// SQL the code gives ($queryRaw, $executeRaw) runs on SQLite's connection itself, and on
// PostgreSQL through Prisma's adapter, not through Prisma's client (src/db/index.ts, runRaw and
// runRawPostgres): what it reads, what it refuses and which unit of work it belongs to must be
// exactly what Prisma's own raw path gives.
import { afterEach, describe, expect, it } from 'vitest'
import { Prisma } from '../src/db/generated/client.ts'
import type { Database, Provider } from '../src/db/index.ts'
import { openDatabase } from '../src/db/index.ts'
import { roundTripSeam } from '../src/db/pg-client.ts'
import { together } from '../src/db/together.ts'
import { isUnreachable } from '../src/db/unreachable.ts'
import { freshDatabase, freshDatabaseUrlOn } from './support/db.ts'
import { onServer } from './support/postgres.ts'
import { roundTripRelay, type RoundTripRelay } from './support/round-trips.ts'

let db: Database | undefined
let relay: RoundTripRelay | undefined
afterEach(async () => {
  await db?.$disconnect()
  await relay?.close()
  db = undefined
  relay = undefined
})

const at = new Date('2026-11-30T08:15:00.123Z')

let seededUrl = ''

/** A database with one problem, one inbox and one outbox row; on PostgreSQL, `poolSize` connections at most. */
async function seeded(provider: Provider = 'sqlite', poolSize?: number): Promise<Database> {
  if (poolSize && provider === 'postgresql') db = await openDatabase((seededUrl = `${await freshDatabaseUrlOn(provider)}?connection_limit=${poolSize}`))
  else ({ db, url: seededUrl } = await freshDatabase(provider))
  await db.problem.create({
    data: { village: '卫华村', category: '垃圾', description: '三组路口垃圾堆', source: '巡查', reporterId: 'wxid_a', reporterName: '王网格', deadline: at, status: '待整改', createdAt: at, updatedAt: at },
  })
  await db.inboxMessage.create({ data: { messageId: 'm1', conversationId: 'room@chatroom', talkerId: 'wxid_a', text: '/统计', isPhoto: true, sentAt: at, receivedAt: at } })
  await db.outboxMessage.create({
    data: { conversationId: 'room@chatroom', text: '图', mentionIds: '[]', fileName: 'a.png', fileData: Buffer.from([1, 2, 3]), priority: 1, status: 'pending', attempts: 0, notBefore: at, createdAt: at },
  })
  return db
}

/** The seeded PostgreSQL database (a pool of one) opened again through a relay that counts round trips, connected. */
async function seededThroughRelay(): Promise<{ database: Database; wire: RoundTripRelay }> {
  await (await seeded('postgresql', 1)).$disconnect()
  const wire = (relay = await roundTripRelay(seededUrl))
  const database = (db = await openDatabase(wire.url))
  await database.$queryRaw`SELECT 1` // connected, signed in
  return { database, wire }
}

/** The same statement (`?` placeholders) through Prisma's own raw path ($queryRawUnsafe is left to Prisma). */
const viaPrisma = <T>(database: Database, sql: string, ...values: unknown[]) => database.$queryRawUnsafe<T>(sql, ...values)
/** `?` placeholders as PostgreSQL's $1, $2 … */
const numbered = (sql: string) => {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

describe('raw SQL on SQLite', () => {
  it('reads every column type as Prisma reads it: dates, nulls, integers, counts, booleans, bytes', async () => {
    const database = await seeded()
    const statements: [string, unknown[]][] = [
      ['SELECT * FROM "Problem" WHERE "id" = ?', [1]],
      ['SELECT "village", "status", COUNT(*) AS "n" FROM "Problem" WHERE "deadline" <= ? GROUP BY "village", "status"', [at]],
      ['SELECT * FROM "InboxMessage" WHERE "isPhoto" = ?', [true]],
      ['SELECT "id", "fileData", "attempts", "dueAt" FROM "OutboxMessage"', []],
    ]
    for (const [sql, values] of statements) {
      const fast = await database.$queryRaw(rawText(sql, values))
      const prisma = await viaPrisma(database, sql, ...values)
      expect(normalised(fast), sql).toEqual(normalised(prisma))
    }
    const [problem] = await database.$queryRaw<{ deadline: Date; completedAt: Date | null; id: number }[]>`SELECT * FROM "Problem"`
    expect(problem).toMatchObject({ id: 1, deadline: at, completedAt: null })
  })

  it('writes dates and booleans as Prisma does, so that its model queries find them', async () => {
    const database = await seeded()
    const later = new Date(at.getTime() + 60_000)
    const changed = await database.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'}, "updatedAt" = ${later} WHERE "id" = ${1}`
    expect(changed).toBe(1)
    await database.$executeRaw`UPDATE "InboxMessage" SET "isPhoto" = ${false} WHERE "messageId" = ${'m1'}`
    expect(await database.problem.findFirst({ where: { updatedAt: later } })).toMatchObject({ id: 1, status: '整改中' })
    expect(await database.inboxMessage.count({ where: { isPhoto: false } })).toBe(1)
  })

  it('a statement SQLite refuses fails with Prisma’s error, and changes nothing', async () => {
    const database = await seeded()
    const insert = `INSERT INTO "InboxMessage" ("messageId", "conversationId", "talkerId", "text", "sentAt", "receivedAt") VALUES ('m1', 'r', 't', 'x', '2026-11-30T08:15:00.123+00:00', '2026-11-30T08:15:00.123+00:00')`
    const fast = await database.$executeRaw(rawText(insert, [])).catch((error: { code?: string; message: string }) => error)
    const prisma = await database.$executeRawUnsafe(insert).catch((error: { code?: string; message: string }) => error)
    expect(fast).toBeInstanceOf(Error)
    expect((fast as { code?: string }).code).toBe((prisma as { code?: string }).code)
    expect(await database.inboxMessage.count()).toBe(1)
  })

  it('inside a transaction it is the transaction’s: rolled back with it, unseen outside until the commit', async () => {
    const database = await seeded()
    const failed = await database
      .$transaction(async (tx) => {
        await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'已完成'} WHERE "id" = ${1}`
        expect((await tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('已完成')
        throw new Error('the command failed')
      })
      .catch((error: Error) => error.message)
    expect(failed).toBe('the command failed')
    expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('待整改')

    // A statement outside waits for the transaction holding the connection, rather than joining it.
    const [holding, release] = gate()
    const [inside, entered] = gate()
    const transaction = database.$transaction(async (tx) => {
      entered()
      await holding
      await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`
      throw new Error('rolled back')
    })
    await inside
    const outside = database.$executeRaw`UPDATE "Problem" SET "responsibleName" = ${'李主任'} WHERE "id" = ${1}`
    release()
    await expect(transaction).rejects.toThrow('rolled back')
    await outside
    expect((await database.$queryRaw<{ status: string; responsibleName: string }[]>`SELECT "status", "responsibleName" FROM "Problem"`)[0]).toEqual({ status: '待整改', responsibleName: '李主任' })
  })

  it('a transaction ended on its timeout takes no more statements, though its callback goes on', async () => {
    const database = await seeded()
    const late = database.$transaction(
      async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 300))
        await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'已完成'} WHERE "id" = ${1}`
      },
      { timeout: 50 },
    )
    await expect(late).rejects.toThrow()
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('待整改')
  })

  it('model queries and SQL in one transaction are committed together, and rolled back together', () => committedTogether('sqlite'))

  it('a statement refused inside a transaction fails with Prisma’s code, and the transaction goes on', async () => {
    const database = await seeded()
    await database.$transaction(async (tx) => {
      const duplicate = await tx.$executeRaw`INSERT INTO "InboxMessage" ("messageId", "conversationId", "talkerId", "text", "sentAt", "receivedAt") VALUES (${'m1'}, 'r', 't', 'x', ${at}, ${at})`.catch((error: { code?: string }) => error)
      expect((duplicate as { code?: string }).code).toBe('P2010')
      const viaModel = await tx.inboxMessage.create({ data: { messageId: 'm1', conversationId: 'r', talkerId: 't', text: 'x', sentAt: at, receivedAt: at } }).catch((error: { code?: string }) => error)
      expect((viaModel as { code?: string }).code).toBe('P2002')
      await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`
    })
    expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('整改中')
    expect(await database.inboxMessage.count()).toBe(1)
  })

  it('a transaction that cannot have the connection within maxWait fails as Prisma’s does; the one holding it is unharmed', async () => {
    const database = await seeded()
    await refusedAfterMaxWait(database)
    // The connection was given back: the next transaction has it at once.
    await database.$transaction(async (tx) => tx.problem.update({ where: { id: 1 }, data: { status: '已完成' } }), { maxWait: 50 })
    expect((await database.problem.findUnique({ where: { id: 1 } }))!.status).toBe('已完成')
  })

  it('after its timeout a transaction’s model queries are refused too, and the connection serves others at once', () => refusedAfterTimeout('sqlite'))

  it('a transaction after a disconnect opens the connection again, for its SQL and its model queries', () => afterDisconnect('sqlite'))
})

describe('raw SQL on PostgreSQL', () => {
  it('reads every column type as Prisma reads it: dates, nulls, integers, counts, decimals, booleans, bytes, JSON, arrays', async () => {
    const database = await seeded('postgresql')
    const statements: [string, unknown[]][] = [
      ['SELECT * FROM "Problem" WHERE "id" = ?', [1]],
      ['SELECT "village", "status", COUNT(*) AS "n" FROM "Problem" WHERE "deadline" <= ? GROUP BY "village", "status"', [at]],
      ['SELECT * FROM "InboxMessage" WHERE "isPhoto" = ?', [true]],
      ['SELECT "id", "fileData", "attempts", "dueAt" FROM "OutboxMessage"', []],
      [`SELECT 1.25::numeric AS "d", DATE '2026-11-30' AS "day", TIME '08:15:00' AS "clock", '{"a":[1,2]}'::jsonb AS "j", ARRAY[1,2]::int8[] AS "big", ARRAY[?::timestamp(3)] AS "when", 2.5::float8 AS "f", ?::int AS "i", ? AS "b", SUM(1) AS "s"`, [at, 7, false]],
    ]
    for (const [sql, values] of statements) {
      const fast = await database.$queryRaw(rawText(sql, values))
      const prisma = await viaPrisma(database, numbered(sql), ...values)
      expect(normalised(fast), sql).toEqual(normalised(prisma))
    }
    const [problem] = await database.$queryRaw<{ deadline: Date; completedAt: Date | null; id: number }[]>`SELECT * FROM "Problem"`
    expect(problem).toMatchObject({ id: 1, deadline: at, completedAt: null })
  })

  it('writes dates and booleans as Prisma does, so that its model queries find them', async () => {
    const database = await seeded('postgresql')
    const later = new Date(at.getTime() + 60_000)
    expect(await database.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'}, "updatedAt" = ${later} WHERE "id" = ${1}`).toBe(1)
    await database.$executeRaw`UPDATE "InboxMessage" SET "isPhoto" = ${false} WHERE "messageId" = ${'m1'}`
    expect(await database.problem.findFirst({ where: { updatedAt: later } })).toMatchObject({ id: 1, status: '整改中' })
    expect(await database.inboxMessage.count({ where: { isPhoto: false } })).toBe(1)
  })

  it('a statement PostgreSQL refuses fails with Prisma’s error, code and message, and changes nothing', async () => {
    const database = await seeded('postgresql')
    const insert = `INSERT INTO "InboxMessage" ("messageId", "conversationId", "talkerId", "text", "sentAt", "receivedAt") VALUES ('m1', 'r', 't', 'x', NOW(), NOW())`
    const fast = await database.$executeRaw(rawText(insert, [])).catch((error: Error) => error)
    const prisma = await database.$executeRawUnsafe(insert).catch((error: Error) => error)
    expect(fast).toBeInstanceOf(Prisma.PrismaClientKnownRequestError)
    expect(fast).toMatchObject({ code: (prisma as unknown as { code: string }).code })
    // Prisma's own message is the same after the line naming its call site.
    expect((prisma as Error).message.endsWith((fast as Error).message)).toBe(true)
    expect((fast as { meta?: { driverAdapterError?: { cause?: { kind?: string } } } }).meta?.driverAdapterError?.cause?.kind).toBe('UniqueConstraintViolation')
    expect(await database.inboxMessage.count()).toBe(1)
  })

  it('model queries and SQL in one transaction are committed together, and rolled back together', () => committedTogether('postgresql'))

  it('a transaction ended on its timeout takes no more SQL, though its callback goes on', async () => {
    const database = await seeded('postgresql')
    let lateWrite: unknown
    const late = database.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1`
        await new Promise((resolve) => setTimeout(resolve, 300))
        lateWrite = await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'已完成'} WHERE "id" = ${1}`.catch((error: Error) => error)
      },
      { timeout: 50 },
    )
    await expect(late).rejects.toMatchObject({ code: 'P2028' })
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(lateWrite).toMatchObject({ code: 'P2028' })
    expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('待整改')
  })

  // A callback transaction is begun on a connection of the pool by this code, not by Prisma's
  // client (src/db/index.ts, onConnection): Prisma's options and errors must still hold.
  it('a transaction that cannot have a connection within maxWait fails as Prisma’s does; the connection that comes late is given back', async () => {
    const database = await seeded('postgresql', 1)
    await refusedAfterMaxWait(database)
    // The pool's one connection went to the refused transaction once free, and it gave it back
    // ended: a plain statement on it is committed at once, seen from another connection.
    await database.$executeRaw`UPDATE "Problem" SET "responsibleName" = ${'李主任'} WHERE "id" = ${1}`
    const seen = await onServer(seededUrl.replace(/\?.*$/, ''), (c) => c.query('SELECT "status", "responsibleName" FROM "Problem"'))
    expect(seen.rows).toEqual([{ status: '整改中', responsibleName: '李主任' }])
    await database.$transaction(async (tx) => tx.problem.update({ where: { id: 1 }, data: { status: '已完成' } }), { maxWait: 1000 })
    expect((await database.problem.findUnique({ where: { id: 1 } }))!.status).toBe('已完成')
  })

  it('after its timeout a transaction’s model queries are refused too, and its connection serves others at once', () => refusedAfterTimeout('postgresql'))

  it('a statement refused inside a transaction fails with Prisma’s code, and the transaction is rolled back whole', async () => {
    const database = await seeded('postgresql', 1)
    const transaction = database.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`
      await tx.$executeRaw`INSERT INTO "InboxMessage" ("messageId", "conversationId", "talkerId", "text", "sentAt", "receivedAt") VALUES (${'m1'}, 'r', 't', 'x', ${at}, ${at})`
    })
    await expect(transaction).rejects.toMatchObject({ code: 'P2010' })
    expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('待整改')
    // Its connection came back usable: PostgreSQL would refuse everything on one left in a failed transaction.
    await database.$transaction(async (tx) => tx.$executeRaw`UPDATE "Problem" SET "status" = ${'已完成'} WHERE "id" = ${1}`)
    expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('已完成')
  })

  // Each connection prepares a statement once, named by its text (src/db/pg-client.ts).
  it('a statement sent again runs as prepared on its connection, and reads the same', async () => {
    const database = await seeded('postgresql', 1)
    const reads = []
    for (let i = 0; i < 3; i++) reads.push(await database.$queryRaw<{ status: string }[]>`SELECT "status", "village" FROM "Problem" WHERE "id" = ${1}`)
    expect(reads).toEqual([[{ status: '待整改', village: '卫华村' }], [{ status: '待整改', village: '卫华村' }], [{ status: '待整改', village: '卫华村' }]])
    const prepared = await database.$queryRaw<{ statement: string }[]>`SELECT "statement" FROM pg_prepared_statements WHERE "statement" LIKE ${'SELECT "status", "village" FROM%'}`
    expect(prepared).toHaveLength(1)
  })

  it('past 300 different statements a connection prepares no more, and every one still runs', async () => {
    const database = await seeded('postgresql', 1)
    for (let k = 0; k < 320; k++) {
      const [row] = await database.$queryRawUnsafe<{ n: number }[]>(`SELECT "id" + ${k} AS "n" FROM "Problem" WHERE "id" = $1`, 1)
      expect(row!.n).toBe(1 + k)
    }
    const [prepared] = await database.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS "n" FROM pg_prepared_statements`
    expect(Number(prepared!.n)).toBe(300)
  })

  it('a column added by another process’s migration does not break statements this connection prepared', async () => {
    const database = await seeded('postgresql', 1)
    const both = async () => [
      await database.$queryRaw<{ id: number }[]>`SELECT * FROM "Problem" WHERE "id" = ${1}`,
      await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem" WHERE "id" = ${1}`,
    ]
    await both()
    await both()
    await onServer(seededUrl.replace(/\?.*$/, ''), (c) => c.query('ALTER TABLE "Problem" ADD COLUMN "note" TEXT'))
    const [all, listed] = await both()
    expect(all![0]).toMatchObject({ id: 1, note: null })
    expect(listed).toEqual([{ status: '待整改' }])
  })

  // Pipelined (src/db/pg-client.ts): counted on the wire, between the code and the server.
  it('a BEGIN rides with the first statement, and statements made together share one round trip', async () => {
    const { database, wire } = await seededThroughRelay()
    const before = wire.roundTrips()
    const countedBefore = roundTripSeam.roundTrips
    const [counted, read] = await database.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`
      return together([tx.$queryRaw<{ n: bigint }[]>`SELECT COUNT(*) AS "n" FROM "Problem" WHERE "status" = ${'整改中'}`, tx.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem" WHERE "id" = ${1}`])
    })
    // BEGIN and UPDATE; the two reads; COMMIT (one at a time: five).
    expect(wire.roundTrips() - before).toBe(3)
    // The client's own count (printed by the benchmark) agrees with the wire's.
    expect(roundTripSeam.roundTrips - countedBefore).toBe(3)
    // Each read was run after the UPDATE, in order, and answered with its own rows.
    expect(counted).toEqual([{ n: 1n }])
    expect(read).toEqual([{ status: '整改中' }])
  })

  it('a connection lost with its BEGIN fails the transaction as out of reach, and the next one runs', async () => {
    const { database, wire } = await seededThroughRelay()
    wire.cutNext()
    const lost = await database.$transaction(async (tx) => tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`).catch((error: unknown) => error)
    expect(isUnreachable(lost)).toBe(true)
    await database.$transaction(async (tx) => tx.$executeRaw`UPDATE "Problem" SET "status" = ${'已完成'} WHERE "id" = ${1}`)
    expect(await database.$queryRaw`SELECT "status" FROM "Problem"`).toEqual([{ status: '已完成' }])
  })

  it('a transaction begun while PostgreSQL is out of reach fails as Prisma’s own does, so that the unit of work waits and tries again', async () => {
    db = await openDatabase('postgresql://postgres:x@127.0.0.1:1/renju')
    const prisma = await db.$transaction([db.problem.count()]).catch((error: unknown) => error)
    const ours = await db.$transaction(async (tx) => tx.problem.count()).catch((error: unknown) => error)
    expect(prisma).toMatchObject({ code: 'P1001' })
    expect(ours).toBeInstanceOf(Prisma.PrismaClientKnownRequestError)
    expect(ours).toMatchObject({ code: 'P1001', message: "Can't reach database server at 127.0.0.1:1" })
    expect(isUnreachable(ours)).toBe(true)
  })

  it('a transaction after a disconnect connects again, for its SQL and its model queries', () => afterDisconnect('postgresql'))
})

/**
 * A transaction past its timeout: rolled back at once (its write undone), its model queries refused
 * afterwards, and the connection (PostgreSQL: the pool's only one) serving others long before its callback ends.
 */
async function refusedAfterTimeout(provider: Provider) {
  const database = await seeded(provider, 1)
  let lateWrite: unknown
  const late = database.$transaction(
    async (tx) => {
      await tx.problem.findUnique({ where: { id: 1 } })
      await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`
      await new Promise((resolve) => setTimeout(resolve, 300))
      lateWrite = await tx.problem.update({ where: { id: 1 }, data: { status: '已完成' } }).catch((error: Error) => error)
    },
    { timeout: 50 },
  )
  await new Promise((resolve) => setTimeout(resolve, 100))
  await database.$executeRaw`UPDATE "Problem" SET "responsibleName" = ${'李主任'} WHERE "id" = ${1}`
  await expect(late).rejects.toMatchObject({ code: 'P2028' })
  expect(lateWrite).toBeInstanceOf(Error)
  expect(await database.problem.findUnique({ where: { id: 1 }, select: { status: true, responsibleName: true } })).toEqual({ status: '待整改', responsibleName: '李主任' })
}

/** A transaction refused (P2028) for want of a connection within maxWait, while another holds it; the holder's write kept. */
async function refusedAfterMaxWait(database: Database) {
  const [holding, release] = gate()
  const [inside, entered] = gate()
  const holder = database.$transaction(async (tx) => {
    entered()
    await holding
    await tx.problem.update({ where: { id: 1 }, data: { status: '整改中' } })
  })
  await inside
  const waiting = database.$transaction(async (tx) => tx.$executeRaw`UPDATE "Problem" SET "status" = ${'已完成'} WHERE "id" = ${1}`, { maxWait: 50 })
  await expect(waiting).rejects.toMatchObject({ code: 'P2028' })
  release()
  await holder
  expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('整改中')
}

/** A transaction after `$disconnect`: the connection opened again for its SQL and its model queries. */
async function afterDisconnect(provider: Provider) {
  const database = await seeded(provider)
  await database.$disconnect()
  await database.$transaction(async (tx) => {
    await tx.$executeRaw`UPDATE "Problem" SET "status" = ${'整改中'} WHERE "id" = ${1}`
    await tx.inboxMessage.update({ where: { messageId: 'm1' }, data: { outcome: '整改中' } })
  })
  expect(await database.problem.findUnique({ where: { id: 1 }, select: { status: true } })).toEqual({ status: '整改中' })
  expect(await database.inboxMessage.findUnique({ where: { messageId: 'm1' }, select: { outcome: true } })).toEqual({ outcome: '整改中' })
}

/** SQL and model queries in one transaction: each sees the other's write, and they are committed or rolled back together. */
async function committedTogether(provider: Provider) {
  const database = await seeded(provider)
  const both = (status: string, fail: boolean) =>
    database.$transaction(async (tx) => {
      await tx.$executeRaw`UPDATE "Problem" SET "status" = ${status} WHERE "id" = ${1}`
      await tx.inboxMessage.update({ where: { messageId: 'm1' }, data: { outcome: status } })
      expect(await tx.problem.findUnique({ where: { id: 1 }, select: { status: true } })).toEqual({ status })
      expect((await tx.$queryRaw<{ outcome: string }[]>`SELECT "outcome" FROM "InboxMessage"`)[0]!.outcome).toBe(status)
      if (fail) throw new Error('the command failed')
    })
  await expect(both('已完成', true)).rejects.toThrow('the command failed')
  expect(await database.problem.findUnique({ where: { id: 1 }, select: { status: true } })).toEqual({ status: '待整改' })
  expect(await database.inboxMessage.findUnique({ where: { messageId: 'm1' }, select: { outcome: true } })).toEqual({ outcome: null })
  await both('整改中', false)
  expect((await database.$queryRaw<{ status: string }[]>`SELECT "status" FROM "Problem"`)[0]!.status).toBe('整改中')
  expect(await database.inboxMessage.findUnique({ where: { messageId: 'm1' }, select: { outcome: true } })).toEqual({ outcome: '整改中' })
}

/** A promise and the function that resolves it. */
function gate(): [Promise<void>, () => void] {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return [opened, open]
}

/** `sql` with its `?` placeholders bound to `values`, as one Prisma.Sql fragment. */
function rawText(sql: string, values: unknown[]) {
  const parts = sql.split('?')
  return Prisma.sql(parts as unknown as TemplateStringsArray, ...values)
}

/** Rows as plain data: Prisma's raw path gives bytes as a Uint8Array, the driver a Buffer. */
function normalised(rows: unknown) {
  return (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : v])))
}
