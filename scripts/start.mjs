// `npm start`: brings dist/ up to date (nothing to do unless a source changed since the last
// build: scripts/build.mjs) and runs the assistant from it, in this process. Without TypeScript
// (an install with --omit=dev) and with stale or missing JavaScript, it runs the sources through
// tsx as before, a few seconds slower to start.
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { build, dist, root } from './build.mjs'

let entry = pathToFileURL(join(dist, 'src/main.js')).href
try {
  await build()
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err
  const { register } = await import('tsx/esm/api')
  register()
  entry = pathToFileURL(join(root, 'src/main.ts')).href
}
await import(entry)
