// Builds src/ and commands/ into dist/ as plain JavaScript, so that `npm start` runs node on it
// instead of compiling TypeScript at every start (tsx took about 2 s of a 6 s start on a 2-core box).
//
// Each file is transpiled on its own (types stripped, `./x.ts` imports rewritten to `./x.js`), as
// tsx and vitest run it: no type check here (that is `npm run typecheck`), so a build takes about
// a second rather than tsc's 18. Only files whose content changed since the last build are
// transpiled again (a sha1 per file in dist/.sources.json); a start with nothing changed reads and
// hashes the sources (~3 MB, tens of milliseconds) and builds nothing. Other files (page.html) are
// copied. Files gone from the sources are removed from dist/.
//
//   node scripts/build.mjs          (postinstall runs it; scripts/start.mjs calls build())
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const dist = join(root, 'dist')
const SOURCES = ['src', 'commands']
const MANIFEST = join(dist, '.sources.json')

/** Every file under the source folders, as paths relative to the project root. */
function sourceFiles() {
  const out = []
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.isFile()) out.push(path)
    }
  }
  for (const dir of SOURCES) walk(dir)
  return out.sort()
}

const outputOf = (file) => join(dist, file.endsWith('.ts') ? file.slice(0, -3) + '.js' : file)

let compile
/** Writes one source file's output into dist/ (TypeScript loaded on first use: it alone takes ~0.5 s). */
export async function emit(file, content = readFileSync(join(root, file))) {
  const out = outputOf(file)
  mkdirSync(dirname(out), { recursive: true })
  // Written aside and renamed: a start running at the same moment never imports half a file.
  const write = (data) => {
    writeFileSync(`${out}.${process.pid}`, data)
    renameSync(`${out}.${process.pid}`, out)
  }
  if (!file.endsWith('.ts')) return write(content)
  if (!compile) {
    const { default: ts } = await import('typescript')
    const compilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, rewriteRelativeImportExtensions: true }
    compile = (text, fileName) => ts.transpileModule(text, { compilerOptions, fileName, reportDiagnostics: false }).outputText
  }
  write(compile(content.toString('utf8'), join(root, file)))
}

/**
 * Brings dist/ up to date with the sources. Resolves with the number of files written (0 when
 * nothing changed). Throws when TypeScript is not installed and something has to be built.
 */
export async function build() {
  let previous = {}
  try {
    previous = JSON.parse(readFileSync(MANIFEST, 'utf8'))
  } catch {}
  const current = {}
  const contents = new Map()
  for (const file of sourceFiles()) {
    const content = readFileSync(join(root, file))
    current[file] = createHash('sha1').update(content).digest('hex')
    contents.set(file, content)
  }
  const changed = Object.keys(current).filter((f) => previous[f] !== current[f])
  const removed = Object.keys(previous).filter((f) => !(f in current))
  if (changed.length === 0 && removed.length === 0) return 0
  for (const file of removed) rmSync(outputOf(file), { force: true })
  for (const file of changed) await emit(file, contents.get(file))
  mkdirSync(dist, { recursive: true })
  writeFileSync(MANIFEST, JSON.stringify(current, null, 1))
  return changed.length
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now()
  const written = await build()
  console.log(written === 0 ? 'dist/ is up to date' : `built ${written} files into ${relative(process.cwd(), dist) || '.'}/ in ${Date.now() - started} ms`)
}
