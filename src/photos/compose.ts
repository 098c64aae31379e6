// Before/after composite for a rectification record: title bar, the two photos side by side with
// 整改前 / 整改后 badges, caption lines under each, a grey placeholder for a missing side.
// All text is one SVG overlay rendered by sharp (librsvg) in the project's Noto Sans SC.
import { useProjectFonts } from './fonts.ts' // first: sets FONTCONFIG_FILE before any text render
import type { OverlayOptions } from 'sharp'
import { loadSharp } from './sharp.ts'
import { clean, escapeXml, fitSize, textWidth, truncate } from './svg-text.ts'

export interface BeforeAfterSide {
  /** Any format sharp reads (JPEG, PNG, WebP, HEIF…); EXIF orientation is applied. */
  image: Buffer
  /** Lines shown under the photo, e.g. `整改前 · 11月3日 张三`; long lines wrap. */
  caption: string[]
}

export interface BeforeAfterInput {
  before?: BeforeAfterSide
  after?: BeforeAfterSide
  /** e.g. `卫华村 #12 三组路边垃圾堆放`; shrunk, then cut with … if too long. */
  title: string
}

// Layout, in output pixels.
const WIDTH = 1640
const MARGIN = 12
const GAP = 16
const PHOTO_W = 800
const PHOTO_H = 600
const TITLE_H = 84
const TITLE_SIZE = 40
const TITLE_MIN_SIZE = 30
const CAPTION_TOP = 14
const CAPTION_BOTTOM = 20
const CAPTION_PAD_X = 6
const FIRST_LINE = { size: 28, lineHeight: 40, weight: 700, colour: '#222222' }
const OTHER_LINE = { size: 24, lineHeight: 34, weight: 400, colour: '#555555' }
const MAX_CAPTION_LINES = 6
const PANEL_BG = { r: 0xee, g: 0xf0, b: 0xee, alpha: 1 }

/** Where things land in the output, for callers and tests that look at regions. */
export const COMPOSE_LAYOUT = {
  width: WIDTH,
  titleHeight: TITLE_H,
  photo: { width: PHOTO_W, height: PHOTO_H, top: TITLE_H, left: { before: MARGIN, after: MARGIN + PHOTO_W + GAP } },
  /** Output height = captionTop + (sum of caption line heights, taller side) + captionBottom. */
  captionTop: TITLE_H + PHOTO_H + CAPTION_TOP,
  captionBottom: CAPTION_BOTTOM,
  lineHeight: { first: FIRST_LINE.lineHeight, other: OTHER_LINE.lineHeight },
} as const

const SIDES = {
  before: { label: '整改前', badge: '#c0392b', x: MARGIN },
  after: { label: '整改后', badge: '#1e8449', x: MARGIN + PHOTO_W + GAP },
} as const

/** Composes the before/after JPEG (1640 px wide; height grows with the caption lines). */
export async function composeBeforeAfter(input: BeforeAfterInput): Promise<Buffer> {
  const captions = {
    before: input.before ? wrapCaption(input.before.caption) : [],
    after: input.after ? wrapCaption(input.after.caption) : [],
  }
  const captionH = Math.max(captionHeight(captions.before), captionHeight(captions.after))
  const height = TITLE_H + PHOTO_H + CAPTION_TOP + captionH + CAPTION_BOTTOM

  const photos: OverlayOptions[] = []
  for (const side of ['before', 'after'] as const) {
    const given = input[side]
    if (!given) continue
    photos.push({ input: await fitPhoto(given.image, SIDES[side].label), left: SIDES[side].x, top: TITLE_H })
  }

  const family = useProjectFonts() // already ran at import; here it only reports the family (or a broken install)
  const svg = overlaySvg({ family, width: WIDTH, height, title: input.title, captions, present: { before: !!input.before, after: !!input.after } })
  const sharp = await loadSharp()
  return sharp({ create: { width: WIDTH, height, channels: 3, background: '#ffffff' } })
    .composite([...photos, { input: Buffer.from(svg), left: 0, top: 0 }])
    .jpeg({ quality: 85, chromaSubsampling: '4:4:4' }) // 4:4:4 keeps the coloured badges' text crisp
    .toBuffer()
}

async function fitPhoto(image: Buffer, label: string): Promise<Buffer> {
  try {
    // `contain`, not `cover`: these are evidence photos, nothing may be cropped away.
    return await (await loadSharp())(image)
      .rotate()
      .flatten({ background: PANEL_BG })
      .resize(PHOTO_W, PHOTO_H, { fit: 'contain', background: PANEL_BG })
      .png({ compressionLevel: 0 })
      .toBuffer()
  } catch (cause) {
    throw new Error(`${label}照片无法读取：${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

interface Line { text: string; style: typeof FIRST_LINE }

function overlaySvg(o: {
  family: string
  width: number
  height: number
  title: string
  captions: Record<'before' | 'after', Line[]>
  present: Record<'before' | 'after', boolean>
}): string {
  const parts: string[] = []
  const text = (content: string, s: TextStyle) => textElement(o.family, content, s)
  // Title bar: green accent, dark bold title, thin rule.
  const titleSize = fitTitleSize(o.title, o.width - 2 * MARGIN - 28)
  const title = truncate(clean(o.title), o.width - 2 * MARGIN - 28, titleSize)
  parts.push(`<rect x="${MARGIN}" y="18" width="7" height="${TITLE_H - 34}" rx="2" fill="#1e8449"/>`)
  parts.push(text(title, { x: MARGIN + 22, y: TITLE_H / 2 + titleSize * 0.36, size: titleSize, weight: 700, colour: '#1a1a1a' }))
  parts.push(`<rect x="${MARGIN}" y="${TITLE_H - 6}" width="${o.width - 2 * MARGIN}" height="1" fill="#d5dbd5"/>`)

  for (const side of ['before', 'after'] as const) {
    const { x, label, badge } = SIDES[side]
    const top = TITLE_H
    if (!o.present[side]) {
      parts.push(`<rect x="${x + 1}" y="${top + 1}" width="${PHOTO_W - 2}" height="${PHOTO_H - 2}" fill="#e3e5e3" stroke="#b4b9b4" stroke-width="2" stroke-dasharray="12 8"/>`)
      parts.push(text(`暂无${label}照片`, { x: x + PHOTO_W / 2, y: top + PHOTO_H / 2 + 14, size: 40, weight: 400, colour: '#80867f', anchor: 'middle' }))
    }
    // Badge in the photo's top-left corner, so the side reads at a glance even without captions.
    parts.push(`<rect x="${x + 14}" y="${top + 14}" width="124" height="50" rx="8" fill="${badge}" fill-opacity="0.92"/>`)
    parts.push(text(label, { x: x + 14 + 62, y: top + 14 + 36, size: 30, weight: 700, colour: '#ffffff', anchor: 'middle' }))

    let y = top + PHOTO_H + CAPTION_TOP
    for (const line of o.captions[side]) {
      parts.push(text(line.text, { x: x + CAPTION_PAD_X, y: y + line.style.size * 0.98, size: line.style.size, weight: line.style.weight, colour: line.style.colour }))
      y += line.style.lineHeight
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${o.width}" height="${o.height}">${parts.join('')}</svg>`
}

interface TextStyle { x: number; y: number; size: number; weight: number; colour: string; anchor?: 'middle' }

function textElement(family: string, content: string, s: TextStyle): string {
  const anchor = s.anchor ? ` text-anchor="${s.anchor}"` : ''
  return `<text x="${s.x}" y="${Math.round(s.y)}" font-family="${escapeXml(family)}, sans-serif" font-size="${s.size}" font-weight="${s.weight}" fill="${s.colour}"${anchor}>${escapeXml(content)}</text>`
}

/** Escapes XML specials and drops characters XML 1.0 cannot carry at all. */
function fitTitleSize(title: string, width: number): number {
  return fitSize(clean(title), width, TITLE_SIZE, TITLE_MIN_SIZE)
}

function wrapCaption(lines: readonly string[]): Line[] {
  const out: Line[] = []
  const width = PHOTO_W - 2 * CAPTION_PAD_X
  lines.forEach((raw, index) => {
    const style = index === 0 ? FIRST_LINE : OTHER_LINE
    let current = ''
    const flush = () => {
      if (current.trim()) out.push({ text: current.trim(), style })
      current = ''
    }
    // Break between CJK characters or at spaces; Latin words and numbers stay whole unless a
    // single one is longer than the line.
    for (const token of clean(raw).trim().match(/[\u2e80-\u{10ffff}]|[^\s\u2e80-\u{10ffff}]+|\s+/gu) ?? []) {
      if (textWidth(current + token, style.size) <= width) {
        current += token
        continue
      }
      flush()
      if (/^\s+$/.test(token)) continue
      for (const ch of token) {
        if (current && textWidth(current + ch, style.size) > width) flush()
        current += ch
      }
    }
    flush()
  })
  if (out.length <= MAX_CAPTION_LINES) return out
  const kept = out.slice(0, MAX_CAPTION_LINES - 1)
  const last = out[MAX_CAPTION_LINES - 1]
  if (last) kept.push({ text: truncate(last.text + '…', width, last.style.size), style: last.style })
  return kept
}

function captionHeight(lines: readonly Line[]): number {
  return lines.reduce((sum, line) => sum + line.style.lineHeight, 0)
}
