// The photo-processing core: validate an uploaded picture, read when and where it was taken,
// and make the three things the ledger keeps — a normalised JPEG, a thumbnail and a
// difference hash for spotting the same picture sent twice. Plain functions: no WeChat, no
// database.
//
// Order of work, chosen so that hostile input costs little:
//   1. byte-size limit, before sharp sees anything;
//   2. sharp reads the header only (`metadata()`): format allow-list and pixel-count limit are
//      checked there, so a 30000×30000 "decompression bomb" is refused in a few milliseconds
//      without a single pixel being decoded (the decode is also given `limitInputPixels`, as a
//      second lock);
//   3. one decode, auto-rotated by EXIF orientation and shrunk to ≤ 1600 px on the long edge
//      (for JPEG, libjpeg shrinks while decoding), to 8-bit sRGB pixels in memory; the
//      normalised JPEG, the thumbnail and the dHash are all made from those pixels.
//
// Corrupt input — `failOn: 'error'`. Measured with sharp 0.35.5 / libvips 8.18.7:
//   - a truncated JPEG (half of it, or just missing its last bytes): sharp's metadata() still
//     succeeds (the header is intact); with failOn 'none' the decode "succeeds" with the
//     missing part painted grey; with 'truncated', 'error' or 'warning' (sharp's default) it
//     fails with "VipsJpeg: premature end of JPEG image" → we refuse it as damaged.
//   - a truncated PNG, or a PNG with garbage in its compressed data: "libpng read error" at
//     every level except 'none' → refused. A PNG that only lacks its IEND chunk decodes fully
//     at every level → accepted (all pixels are there).
//   - garbage in the middle of a JPEG's entropy-coded data decodes (with a smeared band) at
//     every level, even 'warning': it cannot be detected from sharp, and is accepted.
//   We use 'error' rather than sharp's default 'warning': it refuses everything above that we
//   can refuse, and does not refuse a picture over a mere decoder warning (such as stray bytes
//   before a marker, which some phone and editing apps write) — asking a cadre to re-shoot a
//   picture that displays fine would be wrong.
//
// EXIF is optional and untrusted: missing or garbage EXIF leaves takenAt/gps undefined and
// never fails the photo.
import { createHash } from 'node:crypto'
import exifReader from 'exif-reader'
import type { Metadata, Sharp } from 'sharp'
import { UserError } from '../errors.ts'
import { loadSharp } from './sharp.ts'

/** An expected refusal of an uploaded picture; the Chinese text says what was wrong and what to do. */
export class PhotoError extends UserError {
  constructor(message: string) {
    super(message)
    this.name = 'PhotoError'
  }

  static notAnImage(): PhotoError {
    return new PhotoError('这个文件不是图片，请直接发送照片。')
  }

  static corrupt(): PhotoError {
    return new PhotoError('图片已损坏或不完整，请重新拍一张发送。')
  }

  static unsupportedFormat(format: string): PhotoError {
    return new PhotoError(
      `不支持这种图片格式（${format.toUpperCase()}），请直接发送手机拍的照片（JPG、PNG 等）。`,
    )
  }

  static heicUnsupported(): PhotoError {
    return new PhotoError(
      '暂时无法读取苹果手机的 HEIC 格式照片，请在微信里直接发送照片（不要以文件形式发送），或截图后发送。',
    )
  }

  static tooManyPixels(width: number, height: number): PhotoError {
    return new PhotoError(`图片尺寸过大（${width}×${height}），请发送手机拍的普通照片。`)
  }

  static tooManyBytes(maxBytes: number): PhotoError {
    return new PhotoError(`图片太大（超过 ${formatMegabytes(maxBytes)} MB），请压缩后重新发送。`)
  }
}

function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024)
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(1)
}

export interface ImageLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number
  /** Largest accepted width × height (checked on the header, before decoding). */
  maxPixels: number
}

/**
 * 20 MB and 50 megapixels: a 200-MP phone photo is refused, every ordinary phone camera
 * (12–50 MP) is accepted. Decoding is bounded anyway (we shrink while decoding), so the pixel
 * limit is about CPU time as much as memory.
 */
export const DEFAULT_LIMITS: Readonly<ImageLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 50_000_000,
})

/** Formats we accept. `heif` is HEIC (HEVC-coded), `avif` is AV1-coded HEIF. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'heif' | 'avif'

/** File extension (without dot) for each accepted format. */
export const FORMAT_EXTENSIONS: Readonly<Record<ImageFormat, string>> = Object.freeze({
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  heif: 'heic',
  avif: 'avif',
})

export interface GpsPosition {
  /** Signed decimal degrees, north positive (as written by the camera: WGS-84). */
  latitude: number
  /** Signed decimal degrees, east positive. */
  longitude: number
}

export interface ProcessedImage {
  /** SHA-256 of the original bytes, lower-case hex. */
  sha256: string
  format: ImageFormat
  /** Width after EXIF orientation is applied. */
  width: number
  /** Height after EXIF orientation is applied. */
  height: number
  /** Size of the original, in bytes. */
  bytes: number
  /** EXIF DateTimeOriginal, read as Asia/Shanghai time unless the EXIF gives its own offset. */
  takenAt?: Date
  gps?: GpsPosition
  /** JPEG, auto-rotated, long edge ≤ 1600 px, sRGB, no EXIF or other metadata. */
  normalized: Buffer
  /** JPEG, long edge ≤ 320 px, no metadata. */
  thumbnail: Buffer
  /** 64-bit difference hash as 16 lower-case hex characters. */
  dhash: string
}

export const NORMALIZED_MAX_EDGE = 1600
export const THUMBNAIL_MAX_EDGE = 320
const NORMALIZED_QUALITY = 82
const THUMBNAIL_QUALITY = 75
const FAIL_ON = 'error' as const

export { configureSharp, SHARP_SETTINGS } from './sharp.ts'

/** Whether this build of sharp can decode HEVC-coded HEIF (Apple's HEIC); the prebuilt one cannot. */
export async function heicReadable(): Promise<boolean> {
  const sharp = await loadSharp()
  return (sharp.format.heif?.input.fileSuffix ?? []).some((s) => s.toLowerCase() === '.heic')
}

/**
 * Validate, decode and analyse an uploaded picture. Every failure is a PhotoError; no sharp
 * error escapes.
 */
export async function processImage(
  input: Buffer,
  limits: ImageLimits = DEFAULT_LIMITS,
): Promise<ProcessedImage> {
  if (!Buffer.isBuffer(input) || input.length === 0) throw PhotoError.notAnImage()
  if (input.length > limits.maxBytes) throw PhotoError.tooManyBytes(limits.maxBytes)
  const sharp = await loadSharp()

  // Header only. No pixel limit here — we check it ourselves so the message can give the size.
  let meta: Metadata
  try {
    meta = await sharp(input, { failOn: FAIL_ON, limitInputPixels: false }).metadata()
  } catch (e) {
    throw /unsupported image format|is empty/i.test(errorMessage(e))
      ? PhotoError.notAnImage()
      : PhotoError.corrupt()
  }

  const format = acceptedFormat(meta, await heicReadable())
  const { width, height } = meta
  if (!(width > 0 && height > 0)) throw PhotoError.corrupt()
  if (width * height > limits.maxPixels) throw PhotoError.tooManyPixels(width, height)

  let pixels: RawPixels
  try {
    // Animated GIF/WebP: sharp reads the first frame only (its default `pages: 1`).
    const { data, info } = await sharp(input, {
      failOn: FAIL_ON,
      limitInputPixels: limits.maxPixels,
      sequentialRead: true,
    })
      .autoOrient()
      .resize({
        width: NORMALIZED_MAX_EDGE,
        height: NORMALIZED_MAX_EDGE,
        fit: 'inside',
        withoutEnlargement: true,
      })
      // Transparent areas (PNG, GIF, WebP) become white, as a chat window shows them.
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true })
    pixels = { data, width: info.width, height: info.height, channels: info.channels }
  } catch {
    throw PhotoError.corrupt()
  }

  try {
    const raw = { raw: { width: pixels.width, height: pixels.height, channels: pixels.channels } }
    const [normalized, thumbnail, dhash] = await Promise.all([
      sharp(pixels.data, raw).jpeg({ quality: NORMALIZED_QUALITY }).toBuffer(),
      sharp(pixels.data, raw)
        .resize({
          width: THUMBNAIL_MAX_EDGE,
          height: THUMBNAIL_MAX_EDGE,
          fit: 'inside',
          withoutEnlargement: true,
        })
        .jpeg({ quality: THUMBNAIL_QUALITY })
        .toBuffer(),
      differenceHash(sharp(pixels.data, raw)),
    ])
    const exif = readExif(meta.exif)
    return {
      sha256: createHash('sha256').update(input).digest('hex'),
      format,
      width: meta.autoOrient?.width ?? width,
      height: meta.autoOrient?.height ?? height,
      bytes: input.length,
      ...(exif.takenAt ? { takenAt: exif.takenAt } : {}),
      ...(exif.gps ? { gps: exif.gps } : {}),
      normalized,
      thumbnail,
      dhash,
    }
  } catch {
    // Encoding our own 8-bit sRGB pixels should not fail; if it does, the user can only retry.
    throw PhotoError.corrupt()
  }
}

interface RawPixels {
  data: Buffer
  width: number
  height: number
  channels: 1 | 2 | 3 | 4
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function acceptedFormat(meta: Metadata, heicReadable: boolean): ImageFormat {
  switch (meta.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
      return meta.format
    case 'heif':
      if (meta.compression === 'av1') return 'avif'
      if (!heicReadable) throw PhotoError.heicUnsupported()
      return 'heif'
    default:
      // SVG, TIFF, PDF, JPEG 2000, JPEG XL, RAW…: sharp may read them, but a phone photo is
      // none of these, and SVG/PDF are documents that would be rendered, not pictures.
      throw PhotoError.unsupportedFormat(String(meta.format))
  }
}

// ---------------------------------------------------------------------------------------------
// Difference hash

/**
 * The standard dHash: greyscale, resize to 9×8 ignoring aspect ratio, and for each row set a
 * bit when a pixel is brighter than its left neighbour — 8 rows × 8 comparisons = 64 bits,
 * first row first, most significant bit first, as 16 hex characters.
 */
export async function differenceHash(image: Sharp): Promise<string> {
  const { data, info } = await image
    .greyscale()
    .resize(9, 8, { fit: 'fill' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  const channels = info.channels
  const grey = (x: number, y: number) => data[(y * 9 + x) * channels] ?? 0
  let hex = ''
  for (let y = 0; y < 8; y++) {
    let byte = 0
    for (let x = 0; x < 8; x++) byte = (byte << 1) | (grey(x + 1, y) > grey(x, y) ? 1 : 0)
    hex += byte.toString(16).padStart(2, '0')
  }
  return hex
}

const HASH_PATTERN = /^[0-9a-f]{16}$/i

function hashHalves(hash: string): [number, number] {
  if (!HASH_PATTERN.test(hash)) throw new TypeError(`not a 64-bit hex hash: ${JSON.stringify(hash)}`)
  return [Number.parseInt(hash.slice(0, 8), 16), Number.parseInt(hash.slice(8), 16)]
}

function popcount32(n: number): number {
  let v = n >>> 0
  v = v - ((v >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24
}

/** Number of differing bits between two 64-bit hex hashes (0–64). */
export function hammingDistance(a: string, b: string): number {
  const [a1, a2] = hashHalves(a)
  const [b1, b2] = hashHalves(b)
  return popcount32(a1 ^ b1) + popcount32(a2 ^ b2)
}

/**
 * Two pictures whose dHashes differ in at most this many bits are "the same picture" (re-sent,
 * re-compressed, resized, converted or lightly cropped). Tuned on 150 synthetic photos
 * (test/photos/synth.ts; distances recorded in test/photos/image.test.ts):
 *   - re-compressed (JPEG q60), resized to 50%, PNG, WebP: 0–2;
 *   - cropped 2% off every edge: ≤ 10 (95% ≤ 7); cropped 5% in all per axis (2–3% a side): ≤ 12
 *     (95% ≤ 8); cropped 5% off every edge (10% per axis): up to 17–18, 95% ≤ 14;
 *   - unrelated pictures (11,175 pairs): minimum 13, 0.1% ≤ 17, 1% ≤ 21, centred on 32.
 * The two overlap from 13 up, so no threshold catches heavy crops without also matching
 * unrelated pictures; 10 (the usual dHash choice) catches every re-send and light crop with a
 * margin of 3 below the closest unrelated pair. A 10%-per-axis crop is not reliably caught.
 */
export const SIMILAR_MAX_DISTANCE = 10

/**
 * Database index for similar hashes (multi-index hashing): the 64 bits are cut into
 * BAND_COUNT = 4 bands of 16 bits (hashBands), each stored in its own indexed column.
 * By pigeonhole, if two hashes differ in d bits, some band differs in at most ⌊d/4⌋ bits; for
 * d ≤ SIMILAR_MAX_DISTANCE = 10 that is ≤ 2 = BAND_PROBE_RADIUS. So to find every stored hash
 * within the threshold, look up, for each band i, the stored band_i values in
 * bandProbes(hash)[i] (the 137 16-bit values within 2 bits of the query's band), then check
 * hammingDistance on the candidates. The guarantee holds up to d = 4 × (2 + 1) − 1 = 11.
 * A random hash is a candidate with probability ≈ 4 × 137 / 65536 ≈ 0.8%.
 * (Exact-band matching alone — probing only the band itself — would need ≥ 11 bands, i.e. 16
 * bands of 4 bits, each value shared by 1/16 of all hashes: almost every row a candidate.)
 * At a township's scale (thousands of photos) a plain scan with hammingDistance is also fine:
 * about 0.1 µs per comparison.
 */
export const BAND_COUNT = 4
export const BAND_BITS = 16
export const BAND_PROBE_RADIUS = 2

export type HashBands = [number, number, number, number]

/** The hash cut into BAND_COUNT 16-bit numbers, most significant first. */
export function hashBands(dhash: string): HashBands {
  const [hi, lo] = hashHalves(dhash)
  return [hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff]
}

/**
 * For each band of `dhash`, every 16-bit value within BAND_PROBE_RADIUS bits of it (the band
 * itself first): 1 + 16 + 120 = 137 values per band. A stored hash within
 * SIMILAR_MAX_DISTANCE of `dhash` has, in at least one band i, its band value in probes[i].
 */
export function bandProbes(dhash: string): [number[], number[], number[], number[]] {
  const probe = (v: number): number[] => {
    const out = [v]
    for (let i = 0; i < BAND_BITS; i++) {
      out.push(v ^ (1 << i))
      for (let j = i + 1; j < BAND_BITS; j++) out.push(v ^ (1 << i) ^ (1 << j))
    }
    return out
  }
  const [a, b, c, d] = hashBands(dhash)
  return [probe(a), probe(b), probe(c), probe(d)]
}

// ---------------------------------------------------------------------------------------------
// EXIF

interface ExifFacts {
  takenAt?: Date
  gps?: GpsPosition
}

/** Shanghai is UTC+8 all year (no daylight saving since 1991). */
const SHANGHAI_OFFSET_MINUTES = 8 * 60

/** Taken-at time and position from a raw EXIF block; anything missing or malformed → undefined. */
export function readExif(exif: Buffer | undefined): ExifFacts {
  if (!exif || exif.length === 0) return {}
  let tags: exifReader.Exif
  try {
    tags = exifReader(exif)
  } catch {
    return {}
  }
  const facts: ExifFacts = {}
  try {
    const takenAt = exifTime(
      tags.Photo?.DateTimeOriginal ?? tags.Photo?.DateTimeDigitized,
      tags.Photo?.OffsetTimeOriginal ?? tags.Photo?.OffsetTimeDigitized,
    )
    if (takenAt) facts.takenAt = takenAt
  } catch {
    // garbage: leave undefined
  }
  try {
    const gps = tags.GPSInfo
    const latitude = dmsToDecimal(gps?.GPSLatitude, gps?.GPSLatitudeRef, 90)
    const longitude = dmsToDecimal(gps?.GPSLongitude, gps?.GPSLongitudeRef, 180)
    // 0,0 is what a phone without a fix writes, not a place in a Chinese township.
    if (latitude !== undefined && longitude !== undefined && (latitude !== 0 || longitude !== 0)) {
      facts.gps = { latitude, longitude }
    }
  } catch {
    // garbage: leave undefined
  }
  return facts
}

/**
 * exif-reader turns "YYYY:MM:DD HH:MM:SS" into a Date as if it were UTC. EXIF times carry no
 * zone; a photo taken in the township is in Shanghai time, so subtract 8 hours — unless the
 * camera wrote its own offset (EXIF 2.31 OffsetTimeOriginal, e.g. "+08:00"), which wins.
 */
function exifTime(value: unknown, offset: unknown): Date | undefined {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return undefined
  const year = value.getUTCFullYear()
  if (year < 1990 || year > 2100) return undefined // "0000:00:00 00:00:00" and other junk
  const minutes = parseOffset(offset) ?? SHANGHAI_OFFSET_MINUTES
  return new Date(value.getTime() - minutes * 60_000)
}

function parseOffset(offset: unknown): number | undefined {
  if (typeof offset !== 'string') return undefined
  const m = /^\s*([+-])(\d{2}):(\d{2})\s*$/.exec(offset)
  if (!m) return undefined
  const minutes = Number(m[2]) * 60 + Number(m[3])
  if (minutes > 14 * 60) return undefined
  return m[1] === '-' ? -minutes : minutes
}

/**
 * EXIF GPS degrees/minutes/seconds and a reference letter (N/S, E/W) to signed decimal
 * degrees; undefined when the value is missing or impossible. A missing reference is taken as
 * N/E (what every phone in China would write).
 */
export function dmsToDecimal(dms: unknown, ref: unknown, maxDegrees: number): number | undefined {
  const parts = typeof dms === 'number' ? [dms] : Array.isArray(dms) ? dms : undefined
  if (!parts || parts.length === 0 || parts.length > 3) return undefined
  const [deg = 0, min = 0, sec = 0] = parts as unknown[]
  if (![deg, min, sec].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) {
    return undefined
  }
  const d = deg as number
  const m = min as number
  const s = sec as number
  if (m > 60 || s > 60) return undefined
  const value = d + m / 60 + s / 3600
  if (value > maxDegrees) return undefined
  let sign = 1
  if (ref !== undefined && ref !== null) {
    const letter = (Buffer.isBuffer(ref) ? ref.toString('latin1') : String(ref))
      .replace(/\0/g, '')
      .trim()
      .toUpperCase()
    if (letter === 'S' || letter === 'W') sign = -1
    else if (letter !== 'N' && letter !== 'E' && letter !== '') return undefined
  }
  return sign * value
}
