// PostgreSQL plans a statement sent without a name each time it comes, and the code sends the
// same few dozen statements over and over. So each connection of the pool prepares a statement
// once, under a name made from its text, and runs it by that name afterwards: pg keeps the names
// per connection, and PostgreSQL forgets them when the connection closes.
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

/** pg's client, its planned statements named by their text. */
class NamingClient extends pg.Client {
  private readonly named = new Set<string>()

  // @ts-expect-error pg's overloads cannot be restated one by one; the arguments go on unchanged but for the name.
  override query(config: unknown, values?: unknown, callback?: unknown): unknown {
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

/** The pool's `Client` option: pg's client as the pool knows it, but naming its statements. */
export const namingClient = NamingClient as unknown as typeof pg.Client

function nameOf(text: string): string {
  return 'renju_' + createHash('sha1').update(text).digest('hex').slice(0, 24)
}
