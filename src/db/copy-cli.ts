// npm run db:copy -- --from file:./data/renju.sqlite --to postgresql://renju:密码@127.0.0.1:5432/renju
// Stop the assistant first; photos stay in their folder (RENJU_PHOTO_DIR), nothing to copy there.
import { parseArgs } from 'node:util'
import { copyDatabase } from './copy.ts'
import { describePostgresUrl, redactUrl, sqliteUrl } from './index.ts'

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, batch: { type: 'string' } } })
if (!values.to) {
  console.error('用法：npm run db:copy -- --from file:./data/renju.sqlite --to postgresql://用户:密码@主机:5432/数据库')
  process.exit(2)
}
// A relative SQLite path is the project's, as for DATABASE_URL.
const from = values.from ? (values.from.startsWith('file:') ? sqliteUrl(values.from.slice('file:'.length)) : values.from) : sqliteUrl('data/renju.sqlite')
const started = Date.now()
try {
  console.log(`复制 ${from.replace(/^file:/, '')} → PostgreSQL ${describePostgresUrl(values.to)}`)
  const result = await copyDatabase({ from, to: values.to, batchSize: values.batch ? Number(values.batch) : undefined, log: (line) => console.log('  ' + line) })
  const rows = result.tables.reduce((n, t) => n + t.rows, 0)
  console.log(`完成：${result.tables.length} 张表、${rows} 行，各表行数已核对一致（${((Date.now() - started) / 1000).toFixed(1)} 秒）。照片文件不用复制，留在原文件夹。`)
  console.log(`之后用 DATABASE_URL=${redactUrl(values.to)} 启动助手。`)
} catch (error) {
  console.error(`复制失败：${(error as Error).message}`)
  process.exit(1)
}
