// Synthetic "photos" for the photo tests and benchmark, made at run time (no binary fixtures):
// a seeded mix of smooth value-noise colour fields, a sky-to-ground gradient, filled shapes
// and per-pixel sensor noise, so that unrelated seeds give genuinely different pictures and
// JPEGs of realistic size.
import { constants as zlibConstants, deflateRawSync } from 'node:zlib'
import sharp, { type Sharp } from 'sharp'

/** mulberry32: a small, fast, seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface RawImage {
  data: Buffer
  width: number
  height: number
  channels: 3
}

/** A width×height RGB picture from `seed`; `noise` is the ± amplitude of per-pixel noise. */
export function syntheticPhoto(seed: number, width = 1200, height = 900, noise = 12): RawImage {
  const rnd = prng(seed)
  const data = Buffer.alloc(width * height * 3)

  // Low-frequency colour field: a coarse random grid per channel, bilinearly interpolated.
  const gx = 3 + Math.floor(rnd() * 4)
  const gy = 3 + Math.floor(rnd() * 3)
  const grid = Array.from({ length: 3 }, () =>
    Float64Array.from({ length: (gx + 1) * (gy + 1) }, () => 30 + rnd() * 190),
  )
  // A "horizon": sky colour above, ground colour below, blended in with the field.
  const horizon = height * (0.25 + rnd() * 0.5)
  const sky = [rnd() * 255, rnd() * 255, rnd() * 255]
  const ground = [rnd() * 255, rnd() * 255, rnd() * 255]
  const mix = 0.3 + rnd() * 0.4

  for (let y = 0; y < height; y++) {
    const fy = (y / height) * gy
    const y0 = Math.min(Math.floor(fy), gy - 1)
    const ty = fy - y0
    const band = y < horizon ? sky : ground
    for (let x = 0; x < width; x++) {
      const fx = (x / width) * gx
      const x0 = Math.min(Math.floor(fx), gx - 1)
      const tx = fx - x0
      const o = (y * width + x) * 3
      for (let c = 0; c < 3; c++) {
        const g = grid[c]!
        const i = y0 * (gx + 1) + x0
        const v =
          (g[i]! * (1 - tx) + g[i + 1]! * tx) * (1 - ty) +
          (g[i + gx + 1]! * (1 - tx) + g[i + gx + 2]! * tx) * ty
        data[o + c] = v * (1 - mix) + band[c]! * mix
      }
    }
  }

  // Shapes: rectangles and ellipses of random colour, some large, some small.
  const shapes = 8 + Math.floor(rnd() * 12)
  for (let s = 0; s < shapes; s++) {
    const w = width * (0.05 + rnd() * 0.35)
    const h = height * (0.05 + rnd() * 0.35)
    const cx = rnd() * width
    const cy = rnd() * height
    const colour = [rnd() * 255, rnd() * 255, rnd() * 255]
    const ellipse = rnd() < 0.5
    const x0 = Math.max(0, Math.floor(cx - w / 2))
    const x1 = Math.min(width, Math.ceil(cx + w / 2))
    const y0 = Math.max(0, Math.floor(cy - h / 2))
    const y1 = Math.min(height, Math.ceil(cy + h / 2))
    for (let y = y0; y < y1; y++) {
      const dy = (y - cy) / (h / 2)
      for (let x = x0; x < x1; x++) {
        if (ellipse) {
          const dx = (x - cx) / (w / 2)
          if (dx * dx + dy * dy > 1) continue
        }
        const o = (y * width + x) * 3
        data[o] = colour[0]!
        data[o + 1] = colour[1]!
        data[o + 2] = colour[2]!
      }
    }
  }

  // Sensor noise, from a cheap integer generator (Math.random-free, seeded).
  if (noise > 0) {
    let n = (seed * 2654435761) >>> 0 || 1
    const span = 2 * noise + 1
    for (let i = 0; i < data.length; i++) {
      n ^= n << 13
      n ^= n >>> 17
      n ^= n << 5
      const v = data[i]! + ((n >>> 0) % span) - noise
      data[i] = v < 0 ? 0 : v > 255 ? 255 : v
    }
  }
  return { data, width, height, channels: 3 }
}

/** sharp instance over a raw synthetic picture. */
export function sharpOf(image: RawImage): Sharp {
  return sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
}

/** A synthetic picture as a JPEG (quality 90 unless told). */
export function syntheticJpeg(seed: number, width = 1200, height = 900, quality = 90): Promise<Buffer> {
  return sharpOf(syntheticPhoto(seed, width, height)).jpeg({ quality }).toBuffer()
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})

function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 255]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

/**
 * A VALID all-black RGB PNG of width×height, built without ever holding its pixels: the zlib
 * stream is one deflated 1 MiB block of zeros (ending in a full flush, so it is byte-aligned and
 * self-contained) repeated, then the remainder, then the Adler-32 of all-zero data (A = 1,
 * B = length mod 65521). 30000×30000 (2.7 GB of pixels) comes to 2.7 MB in ~0.2 s.
 */
export function zeroPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const total = (1 + width * 3) * height // a filter byte (0) per row, then the row
  const CHUNK = 1 << 20
  const block = deflateRawSync(Buffer.alloc(CHUNK), { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH })
  const n = Math.floor(total / CHUNK)
  const tail = deflateRawSync(Buffer.alloc(total - n * CHUNK), { level: 9 })
  const adler = Buffer.alloc(4)
  adler.writeUInt32BE((((total % 65521) << 16) | 1) >>> 0)
  const idat = Buffer.concat([Buffer.from([0x78, 0xda]), ...Array<Buffer>(n).fill(block), tail, adler])
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ])
}
