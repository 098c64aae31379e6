// PostgreSQL connection settings from a URL. Kept apart from the clients: prisma.config.ts loads
// it before the clients are generated.
import { PrismaPg } from '@prisma/adapter-pg'

/**
 * How `pg` is to connect for a PostgreSQL URL. `?schema=name` (Prisma's own spelling) puts a
 * county's township in its own schema: it is created on first use, and both Prisma's queries and
 * plain SQL (migrations, raw statements) work inside it, so a township cannot read another's rows.
 */
export function postgresConnection(url: string): { connectionString: string; schema?: string; options?: string } {
  const u = new URL(url)
  const schema = u.searchParams.get('schema') ?? undefined
  if (schema === undefined) return { connectionString: url }
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`数据库 schema 名「${schema}」只能用小写字母、数字和下划线`)
  u.searchParams.delete('schema')
  return { connectionString: u.toString(), schema, options: `-c search_path=${schema}` }
}

/** The URL of township `code`'s schema in the county's PostgreSQL database. */
export function withSchema(url: string, code: string): string {
  const u = new URL(url)
  u.searchParams.set('schema', code)
  return u.toString()
}

/** The driver adapter for a PostgreSQL URL, inside its `?schema=` when it names one. */
export function postgresAdapter(url: string, pool: { idleTimeoutMillis?: number } = {}): PrismaPg {
  const { connectionString, schema, options } = postgresConnection(url)
  return new PrismaPg({ connectionString, options, ...pool }, schema ? { schema } : undefined)
}

