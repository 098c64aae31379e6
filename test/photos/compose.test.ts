// The fonts module must come first: it points fontconfig at the npm-shipped Noto Sans SC before
// anything in this process renders text (see src/photos/fonts.ts).
import { fontconfigXml, projectFontDirs, useProjectFonts } from '../../src/photos/fonts.ts'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import sharp from 'sharp'
import { afterAll, describe, expect, it } from 'vitest'
import { COMPOSE_LAYOUT as L, composeBeforeAfter } from '../../src/photos/compose.ts'
import { escapeXml } from '../../src/photos/svg-text.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '../..')
const scratch = mkdtempSync(join(tmpdir(), 'renju-compose-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

// ── Glyph probe ───────────────────────────────────────────────────────────────────────────────
// Without a CJK font, pango draws every Chinese character as a "hex box": the same frame with
// the code point's hex digits inside. So two different characters then share most of their ink,
// and share it with the box of U+0378 (unassigned, so a hex box on every machine). Real glyphs
// don't. Measured (IoU of the ink, 160 px): real Noto ≤ 0.25 against each other and ≤ 0.23
// against the box; hex boxes ≥ 0.51 and ≥ 0.49. Threshold 0.4. A bogus font-family is no
// negative control: fontconfig falls back to whatever CJK font it has, i.e. Noto again.
// The body is plain JS so the very same code also runs in child processes (below).
const PROBE_BODY = `
  const S = 160
  const mask = async (ch) => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="' + S + '" height="' + S + '">'
      + '<rect width="100%" height="100%" fill="#ffffff"/>'
      + '<text x="' + S / 2 + '" y="' + S * 0.82 + '" text-anchor="middle" font-family="' + family
      + '" font-size="' + S * 0.8 + '">' + ch + '</text></svg>'
    const px = await sharp(Buffer.from(svg)).greyscale().raw().toBuffer()
    return Array.from(px, (v) => v < 128)
  }
  const iou = (a, b) => {
    let both = 0, either = 0
    for (let k = 0; k < a.length; k++) { if (a[k] && b[k]) both++; if (a[k] || b[k]) either++ }
    return either ? both / either : 1
  }
  const tofu = await mask(String.fromCharCode(0x378))
  const chars = ['卫', '华', '村', '整', '改', '前']
  const masks = []
  for (const ch of chars) masks.push(await mask(ch))
  let pairwise = 0
  for (let i = 0; i < masks.length; i++) for (let j = i + 1; j < masks.length; j++) pairwise = Math.max(pairwise, iou(masks[i], masks[j]))
  return {
    vsTofu: Math.max(...masks.map((m) => iou(m, tofu))),
    pairwise,
    minInk: Math.min(...masks.map((m) => m.filter(Boolean).length)),
  }
`
interface Probe { vsTofu: number; pairwise: number; minInk: number }
const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<Probe>
const probeHere = (family: string) => new AsyncFunction('sharp', 'family', PROBE_BODY)(sharp, family)

/** Runs the probe in a fresh Node process whose fontconfig reads `configXml`. */
function probeInChild(name: string, configXml: string): Probe {
  const file = join(scratch, `${name}.conf`)
  writeFileSync(file, configXml)
  const script = `import sharp from 'sharp'
    const family = 'Noto Sans SC'
    const result = await (async () => {${PROBE_BODY}})()
    console.log(JSON.stringify(result))`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, FONTCONFIG_FILE: file },
    encoding: 'utf8',
  })
  if (child.status !== 0) throw new Error(`probe child failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as Probe
}

const looksReal = (p: Probe) => p.minInk > 800 && p.vsTofu < 0.4 && p.pairwise < 0.4

describe('project fonts', () => {
  it('points fontconfig at a config naming the Noto Sans SC folders, idempotently', () => {
    const family = useProjectFonts()
    expect(family).toBe('Noto Sans SC')
    const file = process.env.FONTCONFIG_FILE
    expect(file).toBeTruthy()
    expect(useProjectFonts()).toBe(family)
    expect(process.env.FONTCONFIG_FILE).toBe(file)
    const xml = readFileSync(file!, 'utf8')
    for (const dir of projectFontDirs()) expect(xml).toContain(`<dir>${dir}</dir>`)
    expect(xml).toContain('<include ignore_missing="yes">/etc/fonts/fonts.conf</include>')
    expect(xml).toMatch(/<cachedir>[^<]+<\/cachedir>/)
  })

  it('renders Chinese as real glyphs in this process, not hex boxes', async () => {
    const probe = await probeHere(useProjectFonts())
    expect(probe.minInk).toBeGreaterThan(800)
    expect(probe.vsTofu).toBeLessThan(0.4)
    expect(probe.pairwise).toBeLessThan(0.4)
  })

  it('the probe tells the two apart: hex boxes without the Noto folders, glyphs with only them', () => {
    // Without the project folders (system fonts only: no CJK here, nor on a fresh machine).
    const without = probeInChild('without-noto', fontconfigXml([], join(scratch, 'cache-a')))
    expect(looksReal(without)).toBe(false)
    // With nothing but the project folders: the pass above comes from the npm font itself,
    // not from some CJK font a developer machine happens to have installed.
    const only = probeInChild('only-noto', [
      '<?xml version="1.0"?>',
      '<fontconfig>',
      ...projectFontDirs().map((dir) => `<dir>${escapeXml(dir)}</dir>`),
      `<cachedir>${escapeXml(join(scratch, 'cache-b'))}</cachedir>`,
      '</fontconfig>',
    ].join('\n'))
    expect(looksReal(only), JSON.stringify(only)).toBe(true)
  })
})

// ── Composite ─────────────────────────────────────────────────────────────────────────────────
const photo = (colour: string, width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: colour } }).jpeg().toBuffer()
const before = await photo('#8a7a52', 1600, 1200)
const after = await sharp({ create: { width: 900, height: 1600, channels: 4, background: { r: 80, g: 160, b: 90, alpha: 0.8 } } }).png().toBuffer()

async function region(jpeg: Buffer, box: { left: number; top: number; width: number; height: number }) {
  return sharp(jpeg).extract(box).greyscale().raw().toBuffer()
}
const countBelow = (px: Buffer, level: number) => px.reduce((n, v) => n + (v < level ? 1 : 0), 0)
const oneLineHeight = L.captionTop + L.lineHeight.first + L.captionBottom
const titleBox = { left: 0, top: 0, width: L.width, height: L.titleHeight - 8 }
const captionBox = (side: 'before' | 'after') => ({ left: L.photo.left[side], top: L.captionTop, width: L.photo.width, height: L.lineHeight.first })
const photoBox = (side: 'before' | 'after') => ({ left: L.photo.left[side], top: L.photo.top, width: L.photo.width, height: L.photo.height })

describe('composeBeforeAfter', () => {
  const title = '卫华村 #12 三组路边垃圾堆放'

  it('returns a 1640-px-wide JPEG whose height follows the caption lines', async () => {
    const started = performance.now()
    const out = await composeBeforeAfter({
      title,
      before: { image: before, caption: ['整改前 · 11月3日 张三'] },
      after: { image: after, caption: ['整改后 · 11月8日 李四'] },
    })
    const ms = performance.now() - started
    const meta = await sharp(out).metadata()
    expect(meta.format).toBe('jpeg')
    expect([meta.width, meta.height]).toEqual([1640, oneLineHeight])
    expect(ms).toBeLessThan(5000)

    const taller = await composeBeforeAfter({
      title,
      before: { image: before, caption: ['整改前 · 11月3日 张三', '三组村道与水渠交汇处'] },
      after: { image: after, caption: ['整改后'] },
    })
    expect((await sharp(taller).metadata()).height).toBe(oneLineHeight + L.lineHeight.other)
  })

  it('draws the title and captions as text: dark ink in the title, captions follow their strings', async () => {
    const compose = (name: string) => composeBeforeAfter({
      title,
      before: { image: before, caption: [`整改前 · 11月3日 ${name}`] },
      after: { image: after, caption: ['整改后 · 11月8日 李四'] },
    })
    const [a, b] = await Promise.all([compose('张三'), compose('王五')])
    const titleInk = countBelow(await region(a, titleBox), 100) / (titleBox.width * titleBox.height)
    expect(titleInk).toBeGreaterThan(0.01)
    expect(titleInk).toBeLessThan(0.3)
    const [capA, capB] = await Promise.all([region(a, captionBox('before')), region(b, captionBox('before'))])
    expect(countBelow(capA, 100)).toBeGreaterThan(500)
    let differing = 0
    for (let i = 0; i < capA.length; i++) if (Math.abs(capA[i]! - capB[i]!) > 64) differing++
    expect(differing).toBeGreaterThan(300)
    // The other side's caption is the same string in both, so the same pixels.
    const [afterA, afterB] = await Promise.all([region(a, captionBox('after')), region(b, captionBox('after'))])
    expect(afterA.equals(afterB)).toBe(true)
  })

  it('escapes XML specials in every text', async () => {
    expect(escapeXml(`<script>&"'`)).toBe('&lt;script&gt;&amp;&quot;&apos;')
    const nasty = `<script>&"' </svg><text>x</text>\u0001`
    const out = await composeBeforeAfter({
      title: `卫华村 ${nasty}`,
      before: { image: before, caption: [`整改前 ${nasty}`, '&amp; & <!-- -->'] },
      after: { image: after, caption: [nasty] },
    })
    expect((await sharp(out).metadata()).width).toBe(1640)
    expect(countBelow(await region(out, captionBox('after')), 100)).toBeGreaterThan(200)
  })

  it('shows a grey placeholder for a missing side, with its text', async () => {
    const out = await composeBeforeAfter({ title, before: { image: before, caption: ['整改前 · 11月3日 张三'] } })
    expect((await sharp(out).metadata()).height).toBe(oneLineHeight)
    const box = photoBox('after')
    const panel = await region(out, box)
    const grey = panel.reduce((n, v) => n + (Math.abs(v - 0xe4) <= 6 ? 1 : 0), 0)
    expect(grey / panel.length).toBeGreaterThan(0.8)
    // 暂无整改后照片, mid-grey ink across the middle of the panel.
    const middle = await region(out, { left: box.left + 150, top: box.top + 250, width: 500, height: 100 })
    expect(countBelow(middle, 180)).toBeGreaterThan(1000)
    // The badge still says which side it is: white text on the green badge.
    const badge = await sharp(out).extract({ left: box.left + 14, top: box.top + 14, width: 124, height: 50 }).raw().toBuffer()
    expect(badge.reduce((n, v) => n + (v > 235 ? 1 : 0), 0)).toBeGreaterThan(300)

    const noBefore = await composeBeforeAfter({ title, after: { image: after, caption: ['整改后'] } })
    const beforePanel = await region(noBefore, photoBox('before'))
    expect(beforePanel.reduce((n, v) => n + (Math.abs(v - 0xe4) <= 6 ? 1 : 0), 0) / beforePanel.length).toBeGreaterThan(0.8)
    // Neither side: still a valid image.
    expect((await sharp(await composeBeforeAfter({ title })).metadata()).format).toBe('jpeg')
  })
})
