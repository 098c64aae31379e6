// PostgreSQL connection settings from a URL. Kept apart from the clients (prisma.config.ts loads
// it before they are generated) and from the driver (loaded only for a PostgreSQL URL).

/**
 * How `pg` is to connect for a PostgreSQL URL. `?schema=name` (Prisma's own spelling) puts a
 * county's township in its own schema: it is created on first use, and both Prisma's queries and
 * plain SQL (migrations, raw statements) work inside it, so a township cannot read another's rows.
 */
export function postgresConnection(url: string): { connectionString: string; schema?: string; options?: string; max?: number } {
  const u = new URL(url)
  // `connection_limit` (Prisma's spelling): the pool's size. A county's townships each have a
  // pool, and PostgreSQL allows 100 connections by default.
  const limit = u.searchParams.get('connection_limit')
  const max = limit === null ? undefined : Number(limit)
  if (max !== undefined && !(Number.isInteger(max) && max > 0)) throw new Error(`connection_limit 应为正整数，收到「${limit}」`)
  u.searchParams.delete('connection_limit')
  const schema = u.searchParams.get('schema') ?? undefined
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`数据库 schema 名「${schema}」只能用小写字母、数字和下划线`)
  u.searchParams.delete('schema')
  return { connectionString: u.toString(), ...(max ? { max } : {}), ...(schema ? { schema, options: `-c search_path=${schema}` } : {}) }
}

/**
 * The URL of township `code`'s schema in the county's PostgreSQL database, with a pool of 3
 * connections unless the URL says otherwise (20 townships in two processes stay within 100).
 */
export function withSchema(url: string, code: string): string {
  const u = new URL(url)
  u.searchParams.set('schema', code)
  if (!u.searchParams.has('connection_limit')) u.searchParams.set('connection_limit', '3')
  return u.toString()
}

/** The arguments of `new PrismaPg(pool, options)` for a URL: inside its `?schema=` when it names one. */
export function postgresAdapterArguments(url: string, pool: { idleTimeoutMillis?: number } = {}): [{ connectionString: string; options?: string; max?: number; idleTimeoutMillis?: number }, { schema: string } | undefined] {
  const { connectionString, schema, options, max } = postgresConnection(url)
  return [{ connectionString, ...(options ? { options } : {}), ...(max ? { max } : {}), ...pool }, schema ? { schema } : undefined]
}

