// Benchmark: photos processed per second (processImage: validate, read EXIF, decode with
// auto-rotation, normalised JPEG ≤ 1600 px, thumbnail ≤ 320 px, dHash) for 12-megapixel
// phone-like JPEGs (4000×3000, colour fields + shapes + sensor noise, so the files are several
// MB like a real photo), one at a time and four in flight, with the peak RSS of each run.
//
//   npx tsx test/bench/photos.ts
//
// Six distinct pictures are generated (a 12-MP picture takes ~1 s in JS) in a child process —
// so the memory that costs is not counted in this process's RSS — and made into 24 distinct
// files by a unique JPEG comment each, so no cache can serve a repeat.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import sharp from 'sharp'
import { processImage } from '../../src/photos/image.ts'
import { sharpOf, syntheticPhoto } from '../photos/synth.ts'

const WIDTH = 4000
const HEIGHT = 3000
const DISTINCT = 6
const PHOTOS = 24
const IN_FLIGHT = [1, 4] as const

const MB = 1024 * 1024

/**
 * A full garbage collection, so a run's "RSS before" is not inflated by the ~36 MB raw buffers
 * left over from generating the pictures (exposes `gc` at run time if node was started without
 * --expose-gc).
 */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  gc()
}

/** `jpeg` with a COM (comment) segment after SOI: same picture, different bytes. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const payload = Buffer.from(text, 'latin1')
  const head = Buffer.from([0xff, 0xfe, 0, 0])
  head.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)])
}

const GENERATE_FLAG = '--generate-photos-into'

/** In the child process: write the DISTINCT base pictures as JPEG files into `dir`. */
async function generateInto(dir: string): Promise<void> {
  for (let seed = 1; seed <= DISTINCT; seed++) {
    const jpeg = await sharpOf(syntheticPhoto(1000 + seed, WIDTH, HEIGHT, 16)).jpeg({ quality: 92 }).toBuffer()
    writeFileSync(join(dir, `${seed}.jpg`), jpeg)
  }
}

/** PHOTOS distinct JPEG files: the base pictures, made in a child process, each with its own comment. */
function makePhotos(): Buffer[] {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-photos-'))
  try {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), GENERATE_FLAG, dir],
      { stdio: 'inherit' },
    )
    if (child.status !== 0) throw new Error(`generating the benchmark photos failed (${child.status ?? child.signal})`)
    const bases = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)))
    if (bases.length !== DISTINCT) throw new Error(`expected ${DISTINCT} generated photos, found ${bases.length}`)
    return Array.from({ length: PHOTOS }, (_, i) => withComment(bases[i % DISTINCT]!, `photo-${i}`))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface RunResult {
  inFlight: number
  seconds: number
  perSecond: number
  p50: number
  p95: number
  peakRss: number
  rssBefore: number
}

async function run(photos: Buffer[], inFlight: number): Promise<RunResult> {
  const rssBefore = process.memoryUsage().rss
  let peakRss = rssBefore
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 5)
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  const worker = async () => {
    while (next < photos.length) {
      const photo = photos[next++]!
      const t = performance.now()
      await processImage(photo)
      latencies.push(performance.now() - t)
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  latencies.sort((a, b) => a - b)
  return {
    inFlight,
    seconds,
    perSecond: photos.length / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p95: latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * 0.95))] ?? 0,
    peakRss,
    rssBefore,
  }
}

export async function benchPhotos(): Promise<void> {
  const photos = makePhotos()
  const averageBytes = photos.reduce((s, p) => s + p.length, 0) / photos.length
  await processImage(withComment(photos[0]!, 'warm-up')) // warm up libvips and the JIT
  const results: RunResult[] = []
  for (const inFlight of IN_FLIGHT) {
    // Fresh bytes for each run (a different comment), so nothing can be served from a cache.
    const batch = photos.map((p, i) => withComment(p, `run${inFlight}-${i}`))
    collectGarbage()
    results.push(await run(batch, inFlight))
  }

  const fmt = (n: number, digits = 1) => n.toFixed(digits)
  console.log(
    `\nPhotos: ${PHOTOS} × ${WIDTH}×${HEIGHT} JPEG (q92, ${fmt(averageBytes / MB, 2)} MB average) → ` +
      `normalised ≤1600 px + thumbnail + dHash. CPUs: ${os.availableParallelism()}, ` +
      `libvips threads per image: ${sharp.concurrency()}, UV_THREADPOOL_SIZE: ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  )
  console.log('| in flight | photos/s | ms/photo p50 | ms/photo p95 | total s | RSS before MB | peak RSS MB |')
  console.log('|----------:|---------:|-------------:|-------------:|--------:|--------------:|------------:|')
  for (const r of results) {
    console.log(
      `| ${r.inFlight} | ${fmt(r.perSecond, 2)} | ${fmt(r.p50, 0)} | ${fmt(r.p95, 0)} | ${fmt(r.seconds, 2)} | ` +
        `${fmt(r.rssBefore / MB, 0)} | ${fmt(r.peakRss / MB, 0)} |`,
    )
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf(GENERATE_FLAG)
  const dir = at >= 0 ? process.argv[at + 1] : undefined
  if (dir) await generateInto(dir)
  else await benchPhotos()
}
