// The database: Prisma over a driver adapter, chosen by the URL. `file:` is SQLite through
// better-sqlite3, in WAL mode; `postgresql://` is PostgreSQL through `pg`. Both are migrated by
// `prisma migrate deploy` before they are opened, each with its own checked-in migrations written
// from the one schema (prisma/schema.prisma; see prisma/postgres-schema.ts).
//
// Units of work. The SQLite process has one connection, and a statement sent on it while a
// transaction is open runs inside that transaction: a rollback would take with it whatever
// another flow wrote meanwhile (an outbox "sent" mark, another message's inbox row). So the
// SQLite connection is taken in turns: a transaction holds it from BEGIN to COMMIT/ROLLBACK, and
// every statement outside a transaction waits for its own turn. PostgreSQL has a pool of
// connections, each transaction its own, so it needs no turns. A callback transaction is begun
// and ended on a connection itself (onConnection): SQLite's one, or one from PostgreSQL's pool
// through Prisma's adapter. Its SQL runs there directly (runRaw, runRawPostgres), and only its
// model queries go through Prisma, in a Prisma transaction joined to it. Outside transactions
// the SQL goes to the connection (SQLite) or the adapter's pool (PostgreSQL). On both, a statement sent on the
// plain client from inside a transaction's callback is a mistake (on SQLite it would wait for
// itself, on PostgreSQL it would escape the transaction): it fails at once instead, naming it.
// Nothing else has to remember any of this.
import { AsyncLocalStorage } from 'node:async_hooks'
import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import type { PrismaPg } from '@prisma/adapter-pg'
import { projectRoot } from '../paths.ts'
import { postgresAdapterArguments, postgresConnection, withSchema } from './postgres-url.ts'
import { Prisma, PrismaClient } from './generated/client.ts'

/**
 * The client the whole code uses. Both generated clients have the same model API (one schema);
 * the PostgreSQL one is typed as this (test/db-providers.test.ts checks that they match).
 */
export type Database = PrismaClient
export type { Problem, ProblemChange } from './generated/client.ts'
export type Provider = 'sqlite' | 'postgresql'
export { withSchema } from './postgres-url.ts'


/** `file:` URL of a SQLite path, relative paths taken from the project root. */
export function sqliteUrl(path: string): string {
  return 'file:' + resolve(projectRoot, path)
}

/**
 * Township `code`'s database in a county: its own schema of the county's PostgreSQL database, or
 * its own SQLite file beside the county's (data/renju.sqlite → data/dongxiang.sqlite).
 */
export function townshipDatabaseUrl(countyUrl: string, code: string): string {
  if (providerOf(countyUrl) === 'postgresql') return withSchema(countyUrl, code)
  return 'file:' + join(dirname(countyUrl.slice('file:'.length)), `${code}.sqlite`)
}

/** The provider a DATABASE_URL names: `postgresql://` or `postgres://`, or `file:` for SQLite. */
export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql'
  if (url.startsWith('file:')) return 'sqlite'
  throw new Error(`DATABASE_URL 应以 file:（SQLite）或 postgresql://（PostgreSQL）开头，收到「${redactUrl(url)}」`)
}

/** host:port/database of a PostgreSQL URL, for messages: never the user's password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url)
    const host = u.hostname || u.searchParams.get('host') || 'localhost'
    return `${host}:${u.port || '5432'}${u.pathname}`
  } catch {
    return '（无法解析的地址）'
  }
}

/** The URL with its password replaced by ***. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@')
}

/** `text` with every occurrence of `url`'s password replaced by ***. */
function redactIn(text: string, url: string): string {
  let password = ''
  try {
    password = decodeURIComponent(new URL(url).password)
  } catch {}
  let out = text.split(url).join(redactUrl(url))
  if (password) out = out.split(password).join('***').split(encodeURIComponent(password)).join('***')
  return out
}

/**
 * Reaches a PostgreSQL server once, so that a wrong or unreachable URL fails at start with a
 * message naming the host (and never the password) rather than a driver's stack.
 */
export async function checkReachable(url: string, timeoutMs = 5000): Promise<void> {
  // PostgreSQL's driver and client are loaded only for a PostgreSQL URL: ~0.3 s of a SQLite start.
  const { default: pg } = await import('pg')
  const { connectionString, schema } = postgresConnection(url)
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.query('SELECT 1')
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
  } catch (error) {
    const e = error as { code?: string; message?: string }
    const why = e.code === 'ECONNREFUSED' ? '连接被拒绝（服务没有运行，或端口不对）'
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? '找不到这台主机'
      : e.code === '28P01' || e.code === '28000' ? '用户名或密码不对'
      : e.code === '3D000' ? '数据库不存在（请先建库）'
      : /timeout/i.test(e.message ?? '') ? `${Math.round(timeoutMs / 1000)} 秒内没有响应`
      : redactIn(e.message ?? String(error), url)
    throw new Error(`无法连接 PostgreSQL 数据库 ${describePostgresUrl(url)}：${why}。请检查 DATABASE_URL。`)
  } finally {
    await client.end().catch(() => {})
  }
}

/** Applies pending migrations with Prisma's own `migrate deploy`, the one way migrations run. */
export async function migrate(url: string): Promise<'current' | 'applied'> {
  if (providerOf(url) === 'postgresql') await checkReachable(url)
  else mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true })
  // Prisma's CLI takes a second or two even with nothing to do: not run when nothing is pending.
  if (await isCurrent(url)) return 'current'
  const prismaBin = resolve(projectRoot, 'node_modules/prisma/build/index.js')
  // prisma.config.ts picks the schema, its migrations and the adapter by DATABASE_URL; the preload
  // saves PostgreSQL's starts 10 s of waiting for the CLI to exit (see the file).
  await new Promise<void>((done, fail) =>
    execFile(process.execPath, ['-r', resolve(projectRoot, 'prisma/cli-preload.cjs'), prismaBin, 'migrate', 'deploy'], { cwd: projectRoot, env: { ...process.env, DATABASE_URL: url } }, (error, out, stderr) => {
      if (!error) return done()
      const raw = redactIn(`${stderr}\n${out}`, url)
      // P3018 / P3009 / the engine's trace name the migration that failed (or that an earlier run left failed).
      const which = /Migration name: (\S+)/.exec(raw)?.[1] ?? /migration_name="([^"]+)"/.exec(raw)?.[1] ?? /The `(\S+)` migration .* failed/.exec(raw)?.[1]
      // Prisma's own account, without its banner (config, schema, the adapter warning) and the engine's trace.
      const said = raw
        .split('\n')
        .filter((line) => !/^(Loaded Prisma config|Prisma config detected|Prisma schema loaded|Datasource "db"|WARNING: Your schema|- url$|The values from your schema|We recommend you to remove|\d+ migrations? found)/.test(line))
        .filter((line) => !/^\s+(\d+: |with |at )/.test(line))
        .join('\n')
        .replace(/\n{3,}/g, '\n\n')
      const where = providerOf(url) === 'postgresql' ? `PostgreSQL ${describePostgresUrl(url)}` : url.replace(/^file:/, '')
      fail(new Error(`数据库迁移失败（${where}${which ? `，迁移 ${which} 没有完成` : ''}），助手没有启动：${said.trim() || redactIn(error.message, url)}`))
    }),
  )
  return 'applied'
}

/** Every checked-in migration applied and none left failed: what `migrate deploy` would find. */
async function isCurrent(url: string): Promise<boolean> {
  const folder = resolve(projectRoot, providerOf(url) === 'postgresql' ? 'prisma/postgres/migrations' : 'prisma/migrations')
  const checkedIn = readdirSync(folder).filter((name) => /^\d{14}_/.test(name))
  let db: Database | undefined
  try {
    db = await openDatabase(url)
    const rows = await db.$queryRawUnsafe<{ migration_name: string; finished_at: unknown; rolled_back_at: unknown }[]>('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations')
    if (rows.some((r) => !r.finished_at && !r.rolled_back_at)) return false
    const applied = new Set(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => r.migration_name))
    return checkedIn.every((name) => applied.has(name))
  } catch {
    return false // a new database, or no migrations table yet
  } finally {
    await db?.$disconnect()
  }
}

type AdapterFactory = PrismaBetterSQLite3 | PrismaPg
type Adapter = Awaited<ReturnType<AdapterFactory['connect']>>
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>
/** An adapter transaction with its statements counted, and itself uncounted (for a transaction joined to it). */
type CountedTransaction = Transaction & { uncounted: Transaction }
/** What runs statements: an adapter, or one of its transactions. */
type Queryable = Pick<Adapter, 'provider' | 'adapterName' | 'queryRaw' | 'executeRaw'>

/**
 * Set while a transaction's callback runs (timers it starts see `open: false` once it ended), with
 * the database it belongs to: another database (the copy command reads one while writing another)
 * is not a stray.
 */
const insideTransaction = new AsyncLocalStorage<{ open: boolean; owner: object }>()

/**
 * The connection's lock. Single statements (a message stored on arrival, a "sent" mark) go
 * before transactions waiting for their turn: they are short, and storing what WeChat
 * delivered must not wait behind a queue of other messages' handling.
 */
class Turns {
  private busy = false
  private readonly statements: (() => void)[] = []
  private readonly transactions: (() => void)[] = []

  /**
   * Resolves with the release function once it is this caller's turn; rejects with `tooLong()`
   * if that has not come within `maxWaitMs`.
   */
  take(kind: 'statement' | 'transaction', maxWaitMs?: number, tooLong?: () => Error): Promise<() => void> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const grant = () => {
        clearTimeout(timer)
        this.busy = true
        let released = false
        resolve(() => {
          if (released) return
          released = true
          this.busy = false
          ;(this.statements.shift() ?? this.transactions.shift())?.()
        })
      }
      if (!this.busy) return grant()
      const queue = kind === 'statement' ? this.statements : this.transactions
      queue.push(grant)
      if (maxWaitMs === undefined) return
      timer = setTimeout(() => {
        const waiting = queue.indexOf(grant)
        if (waiting < 0) return
        queue.splice(waiting, 1)
        reject(tooLong?.() ?? new Error('no turn on the database in time'))
      }, maxWaitMs)
    })
  }
}

/** Turns that are always free: PostgreSQL gives each transaction a connection of its own. */
const noTurns = { take: async () => () => {} }

function refuseInsideTransaction(owner: object): void {
  const inside = insideTransaction.getStore()
  if (inside?.open && inside.owner === owner) {
    throw new Error('A statement outside its transaction was sent from inside one: use the transaction client (tx), not the database')
  }
}

/**
 * Every statement the process sends, counted where it leaves for the driver (the benchmark prints
 * statements per message from it). `log`, when set, also gets each statement's SQL.
 */
export const statementSeam: { statements: number; transactions: number; log?: (sql: string, inTransaction: boolean) => void } = { statements: 0, transactions: 0 }

function noteStatement(sql: string, inTransaction: boolean): void {
  statementSeam.statements++
  statementSeam.log?.(sql, inTransaction)
}

function counted<T>(sql: string, inTransaction: boolean, work: () => Promise<T>): Promise<T> {
  noteStatement(sql, inTransaction)
  return work()
}

/** The adapter: for SQLite, its one connection taken in turns (see the header), told to `sqlite`; for PostgreSQL, told to `postgres`. */
function adapted<F extends AdapterFactory>(factory: F, sqlite?: SqliteLink, postgres?: PostgresLink): F {
  const connect = async (): Promise<Adapter> => {
    const inner = await factory.connect()
    const turns = sqlite ? new Turns() : noTurns
    if (sqlite) {
      const connection = (inner as unknown as { client: SqliteConnection }).client
      Object.assign(sqlite, { connection, turns, prepared: reusePreparedStatements(connection) })
    }
    const alone = async <T>(work: () => Promise<T>): Promise<T> => {
      const release = await turns.take('statement')
      try {
        return await work()
      } finally {
        release()
      }
    }
    const adapter: Adapter = {
      provider: inner.provider,
      adapterName: inner.adapterName,
      queryRaw: (query) => counted(query.sql, false, () => alone(() => inner.queryRaw(query))),
      executeRaw: (query) => counted(query.sql, false, () => alone(() => inner.executeRaw(query))),
      executeScript: (script) => alone(() => inner.executeScript(script)),
      dispose: () => inner.dispose(),
      async startTransaction(isolationLevel) {
        const joining = joiningTransaction.getStore()
        if (joining) return joinedTransaction(joining.on ?? inner, joining)
        statementSeam.transactions++
        const release = await turns.take('transaction')
        let tx: Transaction
        try {
          tx = await inner.startTransaction(isolationLevel)
        } catch (error) {
          release()
          throw error
        }
        const end = async (finish: () => Promise<void>) => {
          try {
            await finish()
          } finally {
            release()
          }
        }
        const counting: CountedTransaction = {
          provider: tx.provider,
          adapterName: tx.adapterName,
          options: tx.options,
          queryRaw: (query) => counted(query.sql, true, () => tx.queryRaw(query)),
          executeRaw: (query) => counted(query.sql, true, () => tx.executeRaw(query)),
          commit: () => end(() => tx.commit()),
          rollback: () => end(() => tx.rollback()),
          uncounted: tx,
        }
        return counting
      },
    }
    if (inner.getConnectionInfo) adapter.getConnectionInfo = () => inner.getConnectionInfo!()
    if (postgres) {
      postgres.adapter = adapter
      adapter.dispose = () => {
        if (postgres.adapter === adapter) postgres.adapter = undefined
        return inner.dispose()
      }
    }
    return adapter
  }
  return Object.assign(Object.create(factory) as F, { connect })
}

/**
 * Set around the Prisma transaction that joins one begun on a connection itself (onConnection):
 * whether that is still open, and where its statements run (SQLite: the one connection).
 */
const joiningTransaction = new AsyncLocalStorage<{ open: () => boolean; on?: Queryable }>()

/** The statements Prisma's engine ends a transaction with. */
const ENDING = /^\s*(COMMIT|ROLLBACK)\s*$/i

/**
 * A Prisma transaction inside one begun on SQLite's connection (onConnection), for the model
 * queries of its callback: its statements run on the connection, which is already in that
 * transaction, and only while it is open; its COMMIT or ROLLBACK is the outer transaction's to say.
 */
function joinedTransaction(inner: Queryable, joining: { open: () => boolean }): Transaction {
  const run = <T>(sql: string, work: () => Promise<T>): Promise<T> => {
    if (ENDING.test(sql)) return Promise.resolve({ columnNames: [], columnTypes: [], rows: [] } as T)
    if (!joining.open()) return Promise.reject(new Error('Transaction already closed: the transaction this statement belongs to has ended'))
    return counted(sql, true, work)
  }
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    options: { usePhantomQuery: false },
    queryRaw: (query) => run(query.sql, () => inner.queryRaw(query)),
    executeRaw: (query) => (ENDING.test(query.sql) ? Promise.resolve(0) : run(query.sql, () => inner.executeRaw(query))),
    commit: async () => {},
    rollback: async () => {},
  }
}

type SqliteConnection = import('better-sqlite3').Database
type SqliteStatement = import('better-sqlite3').Statement<unknown[]>

/** Distinct statement texts kept prepared; the code sends fewer than a hundred. */
const PREPARED_STATEMENTS = 500

/**
 * Prisma's SQLite adapter prepares every statement it runs, again each time: compiling SQL was
 * about a tenth of a message's time (test/bench/run.ts). Statements are kept by their text,
 * the least recently used dropped beyond PREPARED_STATEMENTS. better-sqlite3 binds a statement's
 * parameters for good (`bind`), so the adapter gets one that passes them at each run instead:
 * the adapter uses `bind(args)` then `run()`, `reader`, `columns()` or `raw().all()`.
 */
function reusePreparedStatements(connection: SqliteConnection): (sql: string) => SqliteStatement {
  const prepare = connection.prepare.bind(connection)
  const kept = new Map<string, SqliteStatement>()
  const preparedFor = (sql: string) => {
    let statement = kept.get(sql)
    if (statement) kept.delete(sql)
    else statement = prepare(sql) as SqliteStatement
    kept.set(sql, statement)
    if (kept.size > PREPARED_STATEMENTS) kept.delete(kept.keys().next().value!)
    return statement
  }
  connection.prepare = ((sql: string) => {
    const prepared = preparedFor(sql)
    return {
      reader: prepared.reader,
      run: () => prepared.run(),
      bind: (args: unknown[]) => ({
        reader: prepared.reader,
        run: () => prepared.run(args),
        columns: () => prepared.columns(),
        raw: () => ({ all: () => prepared.raw(true).all(args) }),
      }),
    }
  }) as unknown as SqliteConnection['prepare']
  return preparedFor
}

/** What the raw-SQL path needs of the SQLite connection, filled in when Prisma's adapter connects. */
interface SqliteLink {
  connection?: SqliteConnection
  turns?: Turns
  prepared?: (sql: string) => SqliteStatement
}

type RawKind = 'query' | 'execute'

/** The client method of each kind of raw statement. */
function rawMethod(kind: RawKind): '$queryRaw' | '$executeRaw' {
  return kind === 'query' ? '$queryRaw' : '$executeRaw'
}

/** `$queryRaw` and `$executeRaw` as the client has them (a tagged template, or a Prisma.sql fragment), each handed to `run`. */
function rawPair(run: (kind: RawKind, query: Prisma.Sql) => Promise<unknown>) {
  const of = (kind: RawKind) => (first: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => run(kind, first instanceof Prisma.Sql ? first : Prisma.sql(first, ...values))
  return { $queryRaw: of('query'), $executeRaw: of('execute') }
}

/**
 * `$queryRaw` and `$executeRaw` on SQLite, run on the connection itself: through Prisma's client
 * a statement costs about 0.14 ms before SQLite sees it, and every message runs a dozen of them
 * (test/bench/run.ts). Same turns as Prisma's statements (inside a transaction the connection is
 * already this flow's), same values in (mapArg in @prisma/adapter-better-sqlite3) and out (Prisma's
 * column types: DATETIME as Date, INTEGER as number, an undeclared integer such as COUNT(*) as
 * bigint). A statement SQLite refuses is handed to Prisma, which runs it again and reports the
 * error in its own shape (a failed statement changes nothing), as code catching it expects.
 */
async function runRaw(link: SqliteLink, kind: RawKind, query: Prisma.Sql, inTransaction: boolean, viaPrisma: () => Promise<unknown>): Promise<unknown> {
  if (!isReady(link)) return viaPrisma()
  const { prepared, turns } = link
  const release = inTransaction ? undefined : await turns.take('statement')
  try {
    noteStatement(query.sql, inTransaction)
    const statement = prepared(query.sql)
    const args = query.values.map(toSqlite)
    if (!statement.reader) {
      const { changes } = statement.run(args)
      return kind === 'execute' ? changes : []
    }
    const rows = statement.raw(true).all(args) as unknown[][]
    if (kind === 'execute') return 0
    const columns = readersOf(statement)
    return rows.map((row) => {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < columns.length; i++) out[columns[i]!.name] = row[i] === null ? null : columns[i]!.read(row[i])
      return out
    })
  } catch {
    // Prisma runs it again below and throws what it says.
  } finally {
    release?.()
  }
  return viaPrisma()
}

/** Whether Prisma's adapter has connected and the link holds its open connection. */
function isReady(link: SqliteLink): link is Required<SqliteLink> {
  return Boolean(link.connection?.open && link.prepared && link.turns)
}

/** A value as Prisma's SQLite adapter binds it: dates as ISO text with +00:00, booleans as 1/0. */
function toSqlite(value: unknown): unknown {
  if (value === undefined) return null
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00')
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value)
  return value
}

const columnReaders = new WeakMap<SqliteStatement, { name: string; read: (value: unknown) => unknown }[]>()

/** How each result column is read, by its declared type as Prisma's adapter maps it (getColumnTypes). */
function readersOf(statement: SqliteStatement) {
  let readers = columnReaders.get(statement)
  if (!readers) {
    readers = statement.columns().map(({ name, type }) => ({ name, read: readerFor(type?.toUpperCase() ?? null) }))
    columnReaders.set(statement, readers)
  }
  return readers
}

function readerFor(declared: string | null): (value: unknown) => unknown {
  switch (declared) {
    case 'DATETIME':
    case 'TIMESTAMP':
      return (v) => new Date(typeof v === 'string' ? v : Number(v))
    case 'BOOLEAN':
      return (v) => Number(v) !== 0
    case 'TINYINT': case 'SMALLINT': case 'MEDIUMINT': case 'INT': case 'INTEGER': case 'SERIAL': case 'INT2':
    case 'FLOAT': case 'DOUBLE': case 'DOUBLE PRECISION': case 'NUMERIC': case 'REAL': case 'DECIMAL':
      return (v) => Number(v)
    case 'BIGINT': case 'UNSIGNED BIG INT': case 'INT8':
      return (v) => BigInt(v as bigint)
    default:
      // Text, blobs, and undeclared values as they come (an undeclared integer stays bigint).
      return (v) => v
  }
}

/** What the raw-SQL path needs of PostgreSQL: Prisma's adapter, once it has connected (its pool). */
interface PostgresLink {
  adapter?: Adapter
}

type PostgresQuery = Parameters<Adapter['queryRaw']>[0]

/**
 * `$queryRaw` and `$executeRaw` on PostgreSQL, handed to Prisma's adapter (its pool, or the
 * transaction's connection) without Prisma's client: through the client each statement cost about
 * 0.3 ms of its machinery, a dozen a message (test/bench/run.ts). The adapter still converts the
 * values both ways and tells a lost connection from a refused statement; a statement is never run
 * twice. What comes back is what Prisma's client makes of it: its column types read as
 * `readPostgres` does, a failure as Prisma's P2010 ("Raw query failed") carrying the adapter's error.
 */
async function runRawPostgres(queryable: Pick<Adapter, 'queryRaw' | 'executeRaw'>, kind: RawKind, query: Prisma.Sql): Promise<unknown> {
  const request: PostgresQuery = { sql: query.text, args: query.values.map((v) => (v === undefined ? null : v)), argTypes: query.values.map(postgresArgType) }
  try {
    if (kind === 'execute') return await queryable.executeRaw(request)
    const { columnNames, columnTypes, rows } = await queryable.queryRaw(request)
    return rows.map((row) => {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < columnNames.length; i++) out[columnNames[i]!] = readPostgres(columnTypes[i]!, row[i])
      return out
    })
  } catch (error) {
    const e = error as { name?: string; message?: string; cause?: { originalCode?: string; originalMessage?: string } }
    if (e?.name !== 'DriverAdapterError' || typeof e.cause !== 'object') throw error
    throw new Prisma.PrismaClientKnownRequestError(`Raw query failed. Code: \`${e.cause.originalCode ?? 'N/A'}\`. Message: \`${e.cause.originalMessage ?? e.message}\``, { code: 'P2010', clientVersion: Prisma.prismaVersion.client, meta: { driverAdapterError: error } })
  }
}

/** Prisma's codes for the adapter's errors of a connection (as its own transactions report them). */
const CONNECTION_ERRORS: Record<string, { code: string; message: (cause: { host?: string; port?: number }) => string }> = {
  DatabaseNotReachable: { code: 'P1001', message: (c) => `Can't reach database server at ${c.host ?? ''}:${c.port ?? ''}` },
  SocketTimeout: { code: 'P1008', message: () => 'Operations timed out' },
  ConnectionClosed: { code: 'P1017', message: () => 'Server has closed the connection.' },
  TooManyConnections: { code: 'P2037', message: () => 'Too many database connections opened' },
}

/**
 * The adapter's error from beginning or committing a transaction, in the shape Prisma's own
 * transaction gives it: a lost connection keeps its code (P1001 …), so that the unit of work
 * waits for the database and tries again (src/db/unreachable.ts); anything else is P2028.
 */
function asPrismaError(error: unknown): unknown {
  const e = error as { name?: string; message?: string; cause?: { kind?: string; host?: string; port?: number } }
  if (e?.name !== 'DriverAdapterError' || typeof e.cause !== 'object') return error
  const known = CONNECTION_ERRORS[e.cause.kind ?? '']
  return new Prisma.PrismaClientKnownRequestError(known ? known.message(e.cause) : `Transaction API error: ${e.message ?? e.cause.kind}`, {
    code: known?.code ?? 'P2028',
    clientVersion: Prisma.prismaVersion.client,
    meta: { driverAdapterError: error },
  })
}

/** A parameter's type as the adapter reads it: a Date becomes UTC timestamp text, a list each of its items. */
function postgresArgType(value: unknown): PostgresQuery['argTypes'][number] {
  return { scalarType: value instanceof Date ? 'datetime' : 'unknown', arity: Array.isArray(value) ? 'list' : 'scalar' }
}

/** The adapter's column types (ColumnTypeEnum of @prisma/driver-adapter-utils) read as Prisma's client reads them. */
const PG_COLUMN = { Int32: 0, Int64: 1, Float: 2, Double: 3, Numeric: 4, Date: 8, Time: 9, DateTime: 10, Json: 11, Bytes: 13 } as const
/** A column type's array counterpart is 64 more (Int64Array 65 …). */
const PG_ARRAY = 64

function readPostgres(type: number, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (type >= PG_ARRAY && type < 2 * PG_ARRAY && Array.isArray(value)) return value.map((item) => readPostgres(type - PG_ARRAY, item))
  switch (type) {
    case PG_COLUMN.Int32:
      return Math.trunc(Number(value))
    case PG_COLUMN.Float:
    case PG_COLUMN.Double:
      return Number(value)
    case PG_COLUMN.Int64:
      return BigInt(value as string)
    case PG_COLUMN.Numeric:
      return new Prisma.Decimal(value as string)
    case PG_COLUMN.Date:
    case PG_COLUMN.DateTime:
      return new Date(value as string)
    case PG_COLUMN.Time:
      return new Date(`1970-01-01T${value as string}Z`)
    case PG_COLUMN.Bytes:
      return Uint8Array.from(value as number[])
    case PG_COLUMN.Json:
      return typeof value === 'string' ? JSON.parse(value) : value
    default:
      return value
  }
}

/** Pages written to SQLite's WAL before it is copied back into the database file (see openDatabase). */
const WAL_CHECKPOINT_PAGES = 10_000

/** Prisma's own defaults for an interactive transaction. */
const PRISMA_MAX_WAIT_MS = 2_000
const PRISMA_TIMEOUT_MS = 5_000
const MAX_TIMER_MS = 2 ** 31 - 1
/** A transaction begun on a connection itself, for onConnection. */
interface OwnTransaction {
  /** Runs one of its SQL statements (`viaJoined`: through the joined Prisma transaction, for Prisma's error shape). */
  raw(kind: RawKind, query: Prisma.Sql, viaJoined: () => Promise<unknown>): Promise<unknown>
  /** Where a Prisma transaction joined to it runs its statements (SQLite: the one connection). */
  joinOn?: Queryable
  commit(): void | Promise<void>
  /** Rolls back unless committed, and gives the connection back; called once, last. */
  finish(): void | Promise<void>
}

/** What Prisma's transaction client does not have. */
const NOT_IN_TRANSACTIONS = new Set(['$transaction', '$connect', '$disconnect', '$on', '$use', '$extends'])

interface TransactionOptions {
  maxWait?: number
  timeout?: number
}

/** A transaction's failure as Prisma reports it (P2028, "Transaction API error"). */
function transactionError(message: string): Error {
  return new Prisma.PrismaClientKnownRequestError(`Transaction API error: ${message}`, { code: 'P2028', clientVersion: Prisma.prismaVersion.client })
}

/** A statement from a transaction's callback after the transaction ended. */
function closed(): Error {
  return transactionError('Transaction already closed: its callback went on after it ended.')
}

/** Opens the database at `url` (`file:` SQLite or `postgresql://`); run `migrate` first. */
export async function openDatabase(url: string): Promise<Database> {
  const postgres = providerOf(url) === 'postgresql'
  const owner = {}
  const sqlite: SqliteLink | undefined = postgres ? undefined : {}
  const postgresLink: PostgresLink | undefined = postgres ? {} : undefined
  // Same schema, same model API: the PostgreSQL client is used as the one Database type.
  const db: Database = postgresLink
    ? await openPostgres(url, postgresLink)
    : new PrismaClient({ adapter: adapted(new PrismaBetterSQLite3({ url }), sqlite), ...QUERY_COMPILER_FROM_FILE })
  if (!postgres) {
    // WAL: measured here at about 3.7x the writes per second of the default journal.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
    // NORMAL: in WAL mode a commit survives the process's crash or kill -9 (the kill test), and
    // only a power cut may undo the last commits; FULL waits for the disk at every commit, about
    // 0.8 ms here, and each message commits three times (taken in, handled, reply sent).
    await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL')
    await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000')
    // A checkpoint (the WAL copied back into the database file, on the committing thread) every
    // 10,000 pages rather than SQLite's 1,000. Messages rewrite the same few pages (each table's
    // last page, its indexes'), and a checkpoint copies a page once however often it changed, so
    // ten times fewer cost about a tenth as much: ~20% more /整改 a second with 20 in flight
    // (test/bench/run.ts). The WAL file may grow to ~40 MB; backups use SQLite's online backup, which reads it.
    await db.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`)
  }
  return refusingStrayStatements(db, owner, sqlite, postgresLink)
}

/**
 * Prisma's SQLite query compiler is WebAssembly shipped as base64 in a JavaScript module, and an
 * import keeps that text twice for the life of the process (the module's source and its exported
 * string): 4.8 MB of an idle assistant (test/bench/start.ts). Read as a file, the text is garbage
 * once decoded. Given through `__internal.configOverride`, the hook Prisma's client takes for its
 * generated config (not in its types); the runtime asks for the module once per process.
 */
const QUERY_COMPILER_FROM_FILE = {
  __internal: {
    configOverride: (config: { compilerWasm?: { getQueryCompilerWasmModule(): Promise<WebAssembly.Module> } }) =>
      config.compilerWasm ? { ...config, compilerWasm: { ...config.compilerWasm, getQueryCompilerWasmModule: readQueryCompiler } } : config,
  },
} as object

async function readQueryCompiler(): Promise<WebAssembly.Module> {
  const file = createRequire(import.meta.url).resolve('@prisma/client/runtime/query_compiler_bg.sqlite.wasm-base64.mjs')
  const base64 = /"([A-Za-z0-9+/=]+)"/.exec(await readFile(file, 'latin1'))?.[1]
  if (!base64) throw new Error(`no base64 WebAssembly in ${file}`)
  return new WebAssembly.Module(Buffer.from(base64, 'base64'))
}

/** The PostgreSQL client, its adapter and driver loaded on first use (see checkReachable). */
async function openPostgres(url: string, link: PostgresLink): Promise<Database> {
  const [{ PrismaPg }, { PrismaClient: PostgresPrismaClient }, { pooledClient }] = await Promise.all([import('@prisma/adapter-pg'), import('./generated-pg/client.ts'), import('./pg-client.ts')])
  const [pool, options] = postgresAdapterArguments(url)
  // Each connection prepares a statement once and pipelines (pg-client.ts): fewer round trips.
  return new PostgresPrismaClient({ adapter: adapted(new PrismaPg({ ...pool, Client: pooledClient }, options), undefined, link) }) as unknown as Database
}

/**
 * The client as the code gets it: a transaction's callback is marked, and a statement on this
 * client made from inside one is refused when it is made — in the caller's own async context,
 * before Prisma batches requests from several callers together.
 */
function refusingStrayStatements(db: Database, owner: object, sqlite?: SqliteLink, postgres?: PostgresLink): Database {
  const begin = db.$transaction.bind(db) as (arg: unknown, options?: unknown) => Promise<unknown>
  /** A statement through Prisma's own raw path (before its adapter has connected, or for its error's shape). */
  const viaPrisma = (kind: RawKind, query: Prisma.Sql) => (db as unknown as Record<string, (q: Prisma.Sql) => Promise<unknown>>)[rawMethod(kind)]!(query)
  const transaction = (arg: unknown, options?: unknown) => {
    refuseInsideTransaction(owner)
    if (typeof arg !== 'function') return begin(arg, options)
    const work = arg as (tx: unknown) => unknown
    const begun = sqlite ? beginOnSqlite(sqlite) : beginOnPostgres(postgres!)
    return onConnection(begun, work, options as TransactionOptions | undefined)
  }
  /** Prisma's adapter connected (again, after a `$disconnect`). */
  const connected = async <T>(ready: () => T | undefined): Promise<T> => {
    if (!ready()) await db.$connect()
    const link = ready()
    if (!link) throw new Error('the database connection did not open')
    return link
  }
  /** A transaction on SQLite's one connection: BEGIN once it is this flow's turn. */
  const beginOnSqlite = (link: SqliteLink) => async (maxWait: number): Promise<OwnTransaction> => {
    const { connection, prepared, turns } = await connected(() => (isReady(link) ? link : undefined))
    statementSeam.transactions++
    const release = await turns.take('transaction', maxWait, () => transactionError(`Unable to start a transaction in the given time (${maxWait} ms).`))
    try {
      prepared('BEGIN').run()
    } catch (error) {
      release()
      throw error
    }
    return {
      raw: (kind, query, viaJoined) => runRaw(link, kind, query, true, viaJoined),
      commit: () => {
        noteStatement('COMMIT', true)
        prepared('COMMIT').run()
      },
      finish: () => {
        try {
          if (connection.inTransaction) prepared('ROLLBACK').run()
        } finally {
          release()
        }
      },
    }
  }
  /**
   * A transaction on a connection of PostgreSQL's pool, taken and begun by Prisma's adapter
   * (counted, as its statements are). A connection that comes after `maxWait` is given back.
   */
  const beginOnPostgres = (link: PostgresLink) => async (maxWait: number): Promise<OwnTransaction> => {
    const adapter = await connected(() => link.adapter)
    const starting = (adapter.startTransaction() as Promise<CountedTransaction>).catch((error) => Promise.reject(asPrismaError(error)))
    let timer: ReturnType<typeof setTimeout> | undefined
    const tooLong = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        starting.then((late) => rollBack(late), () => undefined)
        reject(transactionError(`Unable to start a transaction in the given time (${maxWait} ms).`))
      }, maxWait)
    })
    const tx = await Promise.race([starting, tooLong]).finally(() => clearTimeout(timer))
    let committed = false
    return {
      raw: (kind, query) => runRawPostgres(tx, kind, query),
      joinOn: tx.uncounted,
      commit: async () => {
        await tx.executeRaw({ sql: 'COMMIT', args: [], argTypes: [] }).catch((error) => Promise.reject(asPrismaError(error)))
        committed = true
      },
      finish: () => (committed ? tx.commit() : rollBack(tx)),
    }
  }
  /**
   * ROLLBACK, then the connection back to the pool (the adapter's `rollback` only gives it back).
   * A ROLLBACK that fails (the connection lost) leaves nothing to undo, and the pool drops such a connection.
   */
  const rollBack = async (tx: Transaction) => {
    await tx.executeRaw({ sql: 'ROLLBACK', args: [], argTypes: [] }).catch(() => undefined)
    await tx.rollback()
  }
  /**
   * A callback transaction begun and ended on a connection itself: Prisma's own costs about
   * 0.1 ms of its machinery each time on SQLite and 0.5 ms on PostgreSQL, and every message runs
   * one (test/bench/run.ts). Its SQL runs as the database's does (runRaw, runRawPostgres); its model
   * queries (the roster's, the copy's) go through a Prisma transaction joined to it
   * (joinedTransaction), begun at the first of them. Prisma's options keep their meaning:
   * `maxWait` for the connection, `timeout` from BEGIN, after which it is rolled back, the
   * connection given back, and its callback's statements refused.
   */
  const onConnection = async (beginOwn: (maxWait: number) => Promise<OwnTransaction>, work: (tx: unknown) => unknown, options?: TransactionOptions) => {
    const maxWait = options?.maxWait ?? PRISMA_MAX_WAIT_MS
    const timeout = options?.timeout ?? PRISMA_TIMEOUT_MS
    const own = await beginOwn(maxWait)
    const startedAt = performance.now()
    const mark = { open: true, owner }
    let open = true
    let expired = false
    const holds = () => open && mark.open

    let joined: { client: Promise<Record<string, unknown>>; end(commit: boolean): Promise<void> } | undefined
    const joinedClient = (): Promise<Record<string, unknown>> => {
      if (!holds()) return Promise.reject(closed())
      if (!joined) {
        let client!: (tx: Record<string, unknown>) => void
        const ready = new Promise<Record<string, unknown>>((resolve) => (client = resolve))
        let close!: (commit: boolean) => void
        const closing = new Promise<boolean>((resolve) => (close = resolve))
        const done = joiningTransaction.run({ open: holds, on: own.joinOn }, () =>
          begin(async (tx: Record<string, unknown>) => {
            client(tx)
            if (!(await closing)) throw new Error('rolled back with the transaction it joined')
          }, { maxWait, timeout: MAX_TIMER_MS }),
        )
        const settled = done.then(() => undefined, () => undefined)
        joined = {
          client: Promise.race([ready, done.then(() => Promise.reject(closed()))]),
          end: (commit) => (close(commit), settled),
        }
      }
      return joined.client
    }

    let ended: Promise<void> | undefined
    const end = (commit: boolean): Promise<void> =>
      (ended ??= (async () => {
        clearTimeout(timer)
        open = false
        try {
          await joined?.end(commit)
          if (commit) await own.commit()
        } finally {
          await own.finish()
        }
      })())
    const timer = setTimeout(() => {
      expired = true
      void end(false).catch(() => undefined)
    }, timeout)

    const raw: Record<string, unknown> = rawPair((kind, query) =>
      holds() ? own.raw(kind, query, () => joinedClient().then((tx) => (tx[rawMethod(kind)] as (q: Prisma.Sql) => Promise<unknown>)(query))) : Promise.reject(closed()),
    )
    const viaJoined = (path: (tx: Record<string, unknown>) => Record<string, unknown>, key: string) => (...args: unknown[]) =>
      joinedClient().then((tx) => (path(tx)[key] as (...a: unknown[]) => Promise<unknown>)(...args))
    const models = new Map<string, object>()
    const client = new Proxy({}, {
      get(_, key) {
        if (typeof key !== 'string' || key === 'then' || NOT_IN_TRANSACTIONS.has(key)) return undefined
        if (key in raw) return raw[key]
        const value = (db as unknown as Record<string, unknown>)[key]
        if (typeof value === 'function') return viaJoined((tx) => tx, key)
        if (!value || typeof value !== 'object') return value
        let model = models.get(key)
        if (!model) {
          model = new Proxy({}, { get: (__, method) => (typeof method === 'string' && method !== 'then' ? viaJoined((tx) => tx[key] as Record<string, unknown>, method) : undefined) })
          models.set(key, model)
        }
        return model
      },
    })

    try {
      const result = await insideTransaction.run(mark, () => work(client))
      if (expired) throw transactionError(`Transaction already closed: A commit cannot be executed on an expired transaction. The timeout for this transaction was ${timeout} ms, however ${Math.round(performance.now() - startedAt)} ms passed since the start of the transaction.`)
      await end(true)
      return result
    } catch (error) {
      await end(false).catch(() => undefined)
      throw error
    } finally {
      mark.open = false
    }
  }

  const guarded = (target: object) =>
    new Proxy(target, {
      get(object, key) {
        const value = (object as Record<PropertyKey, unknown>)[key]
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          refuseInsideTransaction(owner)
          return (value as (...a: unknown[]) => unknown).apply(object, args)
        }
      },
    })
  const delegates = new Map<PropertyKey, object>()
  // The database's SQL outside transactions: on SQLite's own connection (runRaw), on PostgreSQL
  // through the adapter once it has connected (runRawPostgres).
  const raw = sqlite
    ? rawPair((kind, query) => runRaw(sqlite, kind, query, false, () => viaPrisma(kind, query)))
    : postgres && rawPair((kind, query) => (postgres.adapter ? runRawPostgres(postgres.adapter, kind, query) : viaPrisma(kind, query)))
  return new Proxy(db, {
    get(client, key) {
      if (key === '$transaction') return transaction
      if (raw && key in raw) {
        const run = raw[key as keyof typeof raw]
        return (...args: Parameters<typeof run>) => {
          refuseInsideTransaction(owner)
          return run(...args)
        }
      }
      const value = (client as unknown as Record<PropertyKey, unknown>)[key]
      if (typeof key === 'string' && (key.startsWith('$queryRaw') || key.startsWith('$executeRaw'))) return guarded(client)[key as never]
      if (typeof value === 'function') return (value as (...a: unknown[]) => unknown).bind(client)
      // A model (db.problem): each of its calls is checked.
      if (value && typeof value === 'object' && typeof key === 'string' && !key.startsWith('$') && !key.startsWith('_')) {
        let delegate = delegates.get(key)
        if (!delegate) delegates.set(key, (delegate = guarded(value)))
        return delegate
      }
      return value
    },
  })
}
