// The database: Prisma over better-sqlite3, migrated on open, in WAL mode.
//
// Units of work. The process has one SQLite connection, and a statement sent on it while a
// transaction is open runs inside that transaction: a rollback would take with it whatever
// another flow wrote meanwhile (an outbox "sent" mark, another message's inbox row). So the
// connection is taken in turns: a transaction holds it from BEGIN to COMMIT/ROLLBACK, and
// every statement outside a transaction waits for its own turn. A statement sent on the
// plain client from inside a transaction's callback would wait for itself; it fails at once
// instead, naming the mistake. Nothing else has to remember any of this.
import { AsyncLocalStorage } from 'node:async_hooks'
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from './generated/client.ts'

export type Database = PrismaClient
export type { Problem, ProblemChange } from './generated/client.ts'

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** `file:` URL of a SQLite path, relative paths taken from the project root. */
export function sqliteUrl(path: string): string {
  return 'file:' + resolve(projectRoot, path)
}

/** Applies pending migrations with Prisma's own `migrate deploy`, the one way migrations run. */
export async function migrate(url: string): Promise<void> {
  mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true })
  const prismaBin = resolve(projectRoot, 'node_modules/prisma/build/index.js')
  await new Promise<void>((done, fail) =>
    execFile(process.execPath, [prismaBin, 'migrate', 'deploy'], { cwd: projectRoot, env: { ...process.env, DATABASE_URL: url } }, (error, _out, stderr) =>
      error ? fail(new Error(`数据库迁移失败：${stderr || error.message}`)) : done(),
    ),
  )
}

type AdapterFactory = PrismaBetterSQLite3
type Adapter = Awaited<ReturnType<AdapterFactory['connect']>>
type Transaction = Awaited<ReturnType<Adapter['startTransaction']>>

/** Set while a transaction's callback runs (timers it starts see `open: false` once it ended). */
const insideTransaction = new AsyncLocalStorage<{ open: boolean }>()

/**
 * The connection's lock. Single statements (a message stored on arrival, a "sent" mark) go
 * before transactions waiting for their turn: they are short, and storing what WeChat
 * delivered must not wait behind a queue of other messages' handling.
 */
class Turns {
  private busy = false
  private readonly statements: (() => void)[] = []
  private readonly transactions: (() => void)[] = []

  /** Resolves with the release function once it is this caller's turn. */
  take(kind: 'statement' | 'transaction'): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.busy = true
        let released = false
        resolve(() => {
          if (released) return
          released = true
          this.busy = false
          ;(this.statements.shift() ?? this.transactions.shift())?.()
        })
      }
      if (!this.busy) grant()
      else (kind === 'statement' ? this.statements : this.transactions).push(grant)
    })
  }
}

function refuseInsideTransaction(): void {
  if (insideTransaction.getStore()?.open) {
    throw new Error('A statement outside its transaction was sent from inside one: use the transaction client (tx), not the database')
  }
}

/** The adapter with its one connection taken in turns (see the header). */
function inTurns(factory: AdapterFactory): AdapterFactory {
  const connect = async (): Promise<Adapter> => {
    const inner = await factory.connect()
    const turns = new Turns()
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
      queryRaw: (query) => alone(() => inner.queryRaw(query)),
      executeRaw: (query) => alone(() => inner.executeRaw(query)),
      executeScript: (script) => alone(() => inner.executeScript(script)),
      dispose: () => inner.dispose(),
      async startTransaction(isolationLevel) {
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
        return {
          provider: tx.provider,
          adapterName: tx.adapterName,
          options: tx.options,
          queryRaw: (query) => tx.queryRaw(query),
          executeRaw: (query) => tx.executeRaw(query),
          commit: () => end(() => tx.commit()),
          rollback: () => end(() => tx.rollback()),
        }
      },
    }
    if (inner.getConnectionInfo) adapter.getConnectionInfo = () => inner.getConnectionInfo!()
    return adapter
  }
  return Object.assign(Object.create(factory) as AdapterFactory, { connect })
}

/** Opens the database at `url` (a `file:` URL); run `migrate` first. */
export async function openDatabase(url: string): Promise<Database> {
  const db = new PrismaClient({ adapter: inTurns(new PrismaBetterSQLite3({ url })) })
  // WAL: measured here at about 3.7x the writes per second of the default journal.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000')
  return refusingStrayStatements(db)
}

/**
 * The client as the code gets it: a transaction's callback is marked, and a statement on this
 * client made from inside one is refused when it is made — in the caller's own async context,
 * before Prisma batches requests from several callers together.
 */
function refusingStrayStatements(db: Database): Database {
  const begin = db.$transaction.bind(db) as (arg: unknown, options?: unknown) => Promise<unknown>
  const transaction = (arg: unknown, options?: unknown) => {
    refuseInsideTransaction()
    if (typeof arg !== 'function') return begin(arg, options)
    return begin(async (tx: unknown) => {
      const mark = { open: true }
      try {
        return await insideTransaction.run(mark, () => (arg as (tx: unknown) => unknown)(tx))
      } finally {
        mark.open = false
      }
    }, options)
  }
  const guarded = (target: object) =>
    new Proxy(target, {
      get(object, key) {
        const value = (object as Record<PropertyKey, unknown>)[key]
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          refuseInsideTransaction()
          return (value as (...a: unknown[]) => unknown).apply(object, args)
        }
      },
    })
  const delegates = new Map<PropertyKey, object>()
  return new Proxy(db, {
    get(client, key) {
      if (key === '$transaction') return transaction
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
