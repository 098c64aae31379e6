// pg's client as the pool's connections use it, with two changes that save round trips to the server.
//
// Named statements: PostgreSQL plans a statement sent without a name each time it comes, and the
// code sends the same few dozen statements over and over. So each connection prepares a statement
// once, under a name made from its text, and runs it by that name afterwards: pg keeps the names
// per connection, and PostgreSQL forgets them when the connection closes.
//
// Pipelined: a statement goes on the wire when it is made, not when the one before it is answered
// (pg's `pipeline` mode; each keeps its own Sync, so one refused does not swallow the next
// outside a transaction). Statements that do not wait for each other's results (`Promise.all`)
// then cost one round trip together, and a transaction's BEGIN is not waited for: its first
// statement follows it at once.
import { createHash } from 'node:crypto'
import pg from 'pg'

/**
 * Statements prepared on one connection at most; later ones are planned each time, as before.
 * Prisma's statements vary with the length of their lists (`IN ($1, $2 …)`): this bounds the
 * server's memory over months of them.
 */
const NAMED_PER_CONNECTION = 300

/** Only these are planned; BEGIN, COMMIT, SET … have nothing to keep. */
const PLANNED = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i
/**
 * A statement whose columns are `*` is left unnamed: once a migration adds a column (another
 * process of the county upgraded first), PostgreSQL refuses to run a prepared one whose result
 * changed ("cached plan must not change result type"). Listed columns do not change.
 */
const ALL_COLUMNS = /(\bSELECT|\bRETURNING|,)\s*(("[^"]+"|\w+)\.)?\*/i

/**
 * Round trips to the server, over every connection (the benchmark prints them per message): a
 * statement sent while none of its connection's is waiting for an answer starts one.
 */
export const roundTripSeam = { roundTrips: 0 }

/** What pg answers to a BEGIN; given at once, before the server's answer (see `query`). */
const BEGUN = { command: 'BEGIN', rowCount: null, oid: null, rows: [], fields: [] }

/** pg's client, pipelined, its planned statements named by their text. */
class PooledClient extends pg.Client {
  private readonly named = new Set<string>()
  /** A BEGIN on the wire whose answer has not been looked at: the next statement's to report. */
  private begun: Promise<unknown> | undefined
  /** Statements sent and not yet answered. */
  private unanswered = 0

  constructor(config?: pg.ClientConfig) {
    super({ ...config, pipeline: true })
  }

  // @ts-expect-error pg's overloads cannot be restated one by one; the arguments go on unchanged but for the name.
  override query(config: unknown, values?: unknown, callback?: unknown): unknown {
    const text = typeof config === 'string' ? config : (config as { text?: unknown } | null)?.text
    if (text === 'BEGIN' && callback === undefined && typeof values !== 'function') {
      // Answered at once; the transaction's first statement goes right behind it. A BEGIN fails
      // only with its connection, and then the statement behind it fails too: the next statement
      // made on this client reports the BEGIN's failure, as if it were its own.
      const sent = this.counted((super.query as (...args: unknown[]) => unknown)(config, values))
      if (!(sent instanceof Promise)) return sent
      sent.catch(() => undefined)
      this.begun = sent
      return Promise.resolve(BEGUN)
    }
    const begun = this.begun
    this.begun = undefined
    const result = this.counted(this.sendNamed(config, values, callback))
    if (!begun || !(result instanceof Promise)) return result
    result.catch(() => undefined)
    return begun.then(() => result)
  }

  /** Counts a round trip when nothing else was on the way; `result` is pg's promise (a callback's query counts each time). */
  private counted(result: unknown): unknown {
    if (this.unanswered === 0) roundTripSeam.roundTrips++
    if (!(result instanceof Promise)) return result
    this.unanswered++
    return result.finally(() => this.unanswered--)
  }

  private sendNamed(config: unknown, values?: unknown, callback?: unknown): unknown {
    if (config && typeof config === 'object' && !(config as { name?: string }).name) {
      const text = (config as { text?: unknown }).text
      if (typeof text === 'string' && PLANNED.test(text) && !ALL_COLUMNS.test(text)) {
        const name = nameOf(text)
        if (this.named.has(name) || this.named.size < NAMED_PER_CONNECTION) {
          this.named.add(name)
          config = { ...config, name }
        }
      }
    }
    return (super.query as (...args: unknown[]) => unknown)(config, values, callback)
  }
}

/** The pool's `Client` option: pg's client as the pool knows it, pipelined and naming its statements. */
export const pooledClient = PooledClient as unknown as typeof pg.Client

function nameOf(text: string): string {
  return 'renju_' + createHash('sha1').update(text).digest('hex').slice(0, 24)
}
