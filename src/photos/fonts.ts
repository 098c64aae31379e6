// Makes the npm-shipped Noto Sans SC TTFs visible to the fontconfig inside sharp, so SVG text
// (librsvg → pango → fontconfig) renders Chinese on machines with no CJK font installed.
//
// WHEN FONTCONFIG_FILE MUST BE SET (checked with sharp 0.35.5 / libvips 8.18 / fontconfig 2.18):
// fontconfig reads FONTCONFIG_FILE once, at FcInit, and libvips/librsvg call that lazily on the
// FIRST TEXT RENDER, not on `import sharp` and not on non-text work. Measured in fresh processes:
//   - set before `import sharp`                                        → Chinese renders
//   - set after `import sharp`, before any render                      → Chinese renders
//   - set after a JPEG encode and an SVG render without <text>         → Chinese renders
//   - set after ONE svg <text> render (even Latin-only)                → tofu boxes for the rest of
//     the process; changing the variable later has no effect, and registering the TTF afterwards
//     through sharp's `text.fontfile` is no reliable repair (pango keeps its cached font sets).
// So the rule is "before the first text render in the process", and this module applies it at
// import time (see the bottom of the file). Callers: import this module, or `compose.ts` (which
// imports it before sharp), before anything renders text with sharp; in the composition root put
// `import './photos/fonts.ts'` first. A FONTCONFIG_FILE set by the user is left alone — their
// config then has to list the Noto directories itself (see projectFontDirs()).
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** The family name to put in SVG `font-family`. */
export const PROJECT_FONT_FAMILY = 'Noto Sans SC'

// Each weight is an 11 MB file that fontconfig scans on a cold cache; regular and bold suffice.
const WEIGHT_DIRS = ['400Regular', '700Bold']

let configured: { family: string; file: string } | undefined

/** The folders holding the Noto Sans SC TTFs the project uses (absolute paths). */
export function projectFontDirs(): string[] {
  const require = createRequire(import.meta.url)
  let root: string
  try {
    root = dirname(require.resolve('@expo-google-fonts/noto-sans-sc/package.json'))
  } catch (cause) {
    throw new Error('找不到字体包 @expo-google-fonts/noto-sans-sc（npm install 是否完整？）', { cause })
  }
  const dirs = WEIGHT_DIRS.map((weight) => join(root, weight)).filter((dir) =>
    existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.ttf')),
  )
  if (dirs.length === 0) throw new Error(`字体包 ${root} 中没有 Noto Sans SC 的 TTF 文件`)
  return dirs
}

/** The fontconfig XML for `dirs`, with the system config included so other fonts keep working. */
export function fontconfigXml(dirs: readonly string[], cacheDir: string): string {
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">',
    '<fontconfig>',
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    ...dirs.map((dir) => `  <dir>${escapeXml(dir)}</dir>`),
    `  <cachedir>${escapeXml(cacheDir)}</cachedir>`,
    '</fontconfig>',
    '',
  ].join('\n')
}

/**
 * Writes (once per process) a fontconfig file naming the project's Noto Sans SC folders, points
 * FONTCONFIG_FILE at it unless the user set one, and returns the SVG font family. Idempotent.
 * Only effective if it runs before the process's first sharp text render — see the file header.
 */
export function useProjectFonts(): string {
  if (configured) return configured.family
  if (process.env.FONTCONFIG_FILE) {
    configured = { family: PROJECT_FONT_FAMILY, file: process.env.FONTCONFIG_FILE }
    return configured.family
  }
  const dirs = projectFontDirs()
  // One folder per install location, so checkouts side by side don't overwrite each other.
  const key = createHash('sha256').update(dirs.join('\0')).digest('hex').slice(0, 12)
  const base = join(tmpdir(), `renju-fontconfig-${key}`)
  const file = join(base, 'fonts.conf')
  const xml = fontconfigXml(dirs, join(base, 'cache'))
  mkdirSync(join(base, 'cache'), { recursive: true })
  if (!existsSync(file) || readFileSync(file, 'utf8') !== xml) {
    // Write-then-rename: parallel processes (test workers) never see a half-written file.
    const partial = `${file}.${process.pid}.tmp`
    writeFileSync(partial, xml)
    renameSync(partial, file)
  }
  process.env.FONTCONFIG_FILE = file
  configured = { family: PROJECT_FONT_FAMILY, file }
  return configured.family
}

/** The fontconfig file in effect after useProjectFonts(), for diagnostics. */
export function projectFontconfigFile(): string {
  useProjectFonts()
  return configured?.file ?? ''
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

// At import time, so importing this module (first) is all a caller has to do. A broken font
// install must not take the whole assistant down at startup: warn here; composeBeforeAfter calls
// useProjectFonts() again and fails there, for that one picture.
try {
  useProjectFonts()
} catch (error) {
  process.emitWarning(`项目字体未就绪，图片中的中文将显示为方框：${error instanceof Error ? error.message : String(error)}`)
}
