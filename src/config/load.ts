import { readFileSync } from 'node:fs'
import { LineCounter, parseDocument, isNode } from 'yaml'
import { townshipConfigSchema, type TownshipConfig } from './schema.ts'

export class ConfigError extends Error {}

/** Reads and validates a township YAML; every problem is named with its field and line. */
export function loadTownshipConfig(path: string): TownshipConfig {
  return parseTownshipConfig(readFileSync(path, 'utf8'), path)
}

export function parseTownshipConfig(text: string, source = 'config'): TownshipConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true })
  if (doc.errors.length > 0) {
    throw new ConfigError(`${source}: YAML 格式错误\n` + doc.errors.map((e) => `  ${e.message}`).join('\n'))
  }
  const result = townshipConfigSchema.safeParse(doc.toJS())
  if (result.success) return result.data

  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String)
    // Point at the deepest node that exists: a missing field is reported at its parent.
    let line: number | undefined
    for (let n = path.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(path.slice(0, n), true)
      if (isNode(node) && node.range) line = lineCounter.linePos(node.range[0]).line
    }
    return `  ${path.join('.') || '(根)'}${line ? `（第 ${line} 行）` : ''}: ${issue.message}`
  })
  throw new ConfigError(`${source}: 配置有误\n${lines.join('\n')}`)
}
