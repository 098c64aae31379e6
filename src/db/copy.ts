// Moves a township's records from one database to another (SQLite to PostgreSQL): every table,
// parents before children, in batches, ids kept (people write #12), inside one transaction on
// the target, so a copy that fails leaves the target empty. Photos are files and stay where they are.
import { migrate, openDatabase, providerOf, type Database } from './index.ts'

export interface CopyResult {
  /** Rows copied per table, in the order copied. */
  tables: { table: string; rows: number }[]
}

/** One model's delegate, as far as copying goes. */
interface Delegate {
  findMany(args: { orderBy: Record<string, 'asc'>[]; skip: number; take: number }): Promise<object[]>
  createMany(args: { data: object[] }): Promise<{ count: number }>
  count(): Promise<number>
}

interface Table {
  name: string
  key: string[]
  parents: string[]
  /** The column filled from a sequence (autoincrement), if any. */
  serial?: string
}

const delegate = (db: Database, table: string) => (db as unknown as Record<string, Delegate>)[table.charAt(0).toLowerCase() + table.slice(1)]

/** The target's tables from PostgreSQL's catalog: keys, foreign keys and sequences. */
async function tablesOf(db: Database): Promise<Table[]> {
  const rows = <T>(sql: string) => db.$queryRawUnsafe<T[]>(sql)
  const names = await rows<{ name: string }>("SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'")
  const keys = await rows<{ table: string; column: string }>(
    "SELECT c.conrelid::regclass::text AS table, a.attname::text AS column FROM pg_constraint c JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) ON true JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum WHERE c.contype = 'p' AND c.connamespace = current_schema()::regnamespace ORDER BY c.conrelid, k.n",
  )
  const parents = await rows<{ table: string; parent: string }>("SELECT conrelid::regclass::text AS table, confrelid::regclass::text AS parent FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")
  const serials = await rows<{ table: string; column: string }>("SELECT table_name::text AS table, column_name::text AS column FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'")
  const unquote = (name: string) => name.replace(/^"|"$/g, '')
  return names.map(({ name }) => ({
    name,
    key: keys.filter((k) => unquote(k.table) === name).map((k) => k.column),
    parents: parents.filter((p) => unquote(p.table) === name && unquote(p.parent) !== name).map((p) => unquote(p.parent)),
    serial: serials.find((s) => s.table === name)?.column,
  }))
}

/** Parents before children. */
function inDependencyOrder(tables: Table[]): Table[] {
  const done = new Set<string>()
  const ordered: Table[] = []
  while (ordered.length < tables.length) {
    const next = tables.filter((t) => !done.has(t.name) && t.parents.every((p) => done.has(p)))
    if (next.length === 0) throw new Error(`外键成环，无法排定复制顺序：${tables.filter((t) => !done.has(t.name)).map((t) => t.name).join('、')}`)
    for (const t of next.sort((a, b) => a.name.localeCompare(b.name))) {
      done.add(t.name)
      ordered.push(t)
    }
  }
  return ordered
}

/**
 * Copies every table of `from` into `to`, a PostgreSQL database that is empty (or does not have
 * the assistant's tables yet). Both are migrated first. Refuses a target that holds records.
 */
export async function copyDatabase(options: { from: string; to: string; batchSize?: number; log?: (line: string) => void }): Promise<CopyResult> {
  const { from, to, batchSize = 500, log = () => {} } = options
  if (providerOf(to) !== 'postgresql') throw new Error('--to 应是 PostgreSQL 的地址（postgresql://…）')
  if (from === to) throw new Error('--from 和 --to 是同一个数据库')
  await migrate(from)
  await migrate(to)
  const source = await openDatabase(from)
  const target = await openDatabase(to)
  try {
    const tables = inDependencyOrder(await tablesOf(target))
    for (const t of tables) {
      if (!delegate(source, t.name) || !delegate(target, t.name)) throw new Error(`表 ${t.name} 在数据库模型里没有对应：请先升级助手`)
      if (t.key.length === 0) throw new Error(`表 ${t.name} 没有主键，无法分批复制`)
    }
    const filled = []
    for (const t of tables) {
      const n = await delegate(target, t.name)!.count()
      if (n > 0) filled.push(`${t.name} ${n} 行`)
    }
    if (filled.length > 0) throw new Error(`目标数据库不是空的（${filled.join('、')}），没有复制任何数据。请换一个新建的空数据库。`)

    const result: CopyResult = { tables: [] }
    await target.$transaction(
      async (tx) => {
        for (const t of tables) {
          const orderBy = t.key.map((column) => ({ [column]: 'asc' as const }))
          let copied = 0
          for (;;) {
            const batch = await delegate(source, t.name)!.findMany({ orderBy, skip: copied, take: batchSize })
            if (batch.length === 0) break
            await delegate(tx as Database, t.name)!.createMany({ data: batch })
            copied += batch.length
          }
          // Rows came with their ids: the next id PostgreSQL hands out follows the largest copied.
          if (t.serial) {
            await (tx as Database).$queryRawUnsafe(`SELECT setval(pg_get_serial_sequence('"${t.name}"', '${t.serial}'), COALESCE((SELECT MAX("${t.serial}") FROM "${t.name}"), 0) + 1, false)`)
          }
          result.tables.push({ table: t.name, rows: copied })
          log(`${t.name}：${copied} 行`)
        }
      },
      { timeout: 60 * 60_000, maxWait: 60_000 },
    )

    // Every table holds as many rows as the source's.
    const differ = []
    for (const t of tables) {
      const [a, b] = await Promise.all([delegate(source, t.name)!.count(), delegate(target, t.name)!.count()])
      if (a !== b) differ.push(`${t.name}（原 ${a} 行，新 ${b} 行）`)
    }
    if (differ.length > 0) throw new Error(`复制后行数不一致：${differ.join('、')}`)
    return result
  } finally {
    await Promise.all([source.$disconnect(), target.$disconnect()])
  }
}
