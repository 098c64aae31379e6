// Benchmark: the photo pipeline (processImage: size limit, header check, EXIF, one decode with
// auto-rotation to ≤ 1600 px, normalised JPEG, thumbnail ≤ 320 px, dHash, sha256) on
// 12-megapixel phone-like JPEGs (4000×3000, colour fields + shapes + sensor noise, several MB
// like a real photo), each figure printed beside its floor from the same run:
//   - photos/s one at a time and 4 in flight, beside bare sharp making exactly the same outputs
//     from one decode (checked byte for byte), with the same sharp settings (SHARP_SETTINGS);
//   - peak RSS with 4 in flight (process.memoryUsage().rss sampled every 5 ms), beside the floor's;
//   - the time the whole assistant takes to answer a 12 MP photo sent over the real transport
//     while text commands keep flowing in other groups (p50/p99), beside sharp's own time for
//     one photo, and the commands' latency with and without photos.
//
//   npx tsx test/bench/photos.ts
//
// Every measurement runs in a fresh child process, so one run's memory (libvips, glibc arenas,
// the pictures' generation) is not counted in another's RSS; floor and pipeline alternate,
// ROUNDS times, so a busy machine slows both alike. The six base pictures are generated once
// (a 12 MP picture takes ~1 s in JS) and every photo gets a unique JPEG comment just before it
// is processed: distinct bytes, so no cache can serve a repeat, and only the six bases are held.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'
import sharp from 'sharp'
import { configureSharp, NORMALIZED_MAX_EDGE, processImage, SHARP_SETTINGS, THUMBNAIL_MAX_EDGE } from '../../src/photos/image.ts'
import { sharpOf, syntheticPhoto } from '../photos/synth.ts'
import { startSettings } from './start-settings.ts'

const WIDTH = 4000
const HEIGHT = 3000
const DISTINCT = 6
const PHOTOS = 24
const IN_FLIGHT = [1, 4] as const
const ROUNDS = 2
/** The end-to-end part: photos answered, and its time limit. */
const E2E_PHOTOS = 30
const E2E_DEADLINE_MS = 120_000
/** Commands alone before the photos, for their latency without photos. */
const COMMANDS_ALONE_MS = 5_000
/**
 * Each commander's pause after an answer. Not zero: the outbox sends replies before notices,
 * and a photo's answer is a notice (sent when its batch closes), so with commands answered
 * back to back in other groups it never goes — measured: no answer within 15 s.
 */
const COMMAND_PAUSE_MS = 250

const MB = 1024 * 1024
const SELF = fileURLToPath(import.meta.url)

/* -------------------------------------------------------------------------- */
/* the photos                                                                 */

/** `jpeg` with a COM (comment) segment after SOI: same picture, different bytes. */
export function withComment(jpeg: Buffer, text: string): Buffer {
  const payload = Buffer.from(text, 'latin1')
  const head = Buffer.from([0xff, 0xfe, 0, 0])
  head.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)])
}

async function generateInto(dir: string): Promise<void> {
  for (let seed = 1; seed <= DISTINCT; seed++) {
    const jpeg = await sharpOf(syntheticPhoto(1000 + seed, WIDTH, HEIGHT, 16)).jpeg({ quality: 92 }).toBuffer()
    writeFileSync(join(dir, `${seed}.jpg`), jpeg)
  }
}

function readBases(dir: string): Buffer[] {
  const bases = readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => readFileSync(join(dir, f)))
  if (bases.length !== DISTINCT) throw new Error(`expected ${DISTINCT} generated photos, found ${bases.length}`)
  return bases
}

/* -------------------------------------------------------------------------- */
/* the floor: bare sharp, the same outputs from one decode                    */

interface Outputs {
  sha256: string
  normalized: Buffer
  thumbnail: Buffer
  dhash: string
}

/**
 * What processImage makes, done with nothing around it: no size or format checks, no header
 * read, no EXIF, no failOn, no error mapping. Same operations and parameters, so the same bytes.
 */
async function bareSharp(input: Buffer): Promise<Outputs> {
  const sha256 = createHash('sha256').update(input).digest('hex')
  const { data, info } = await sharp(input, { sequentialRead: true })
    .autoOrient()
    .resize({ width: NORMALIZED_MAX_EDGE, height: NORMALIZED_MAX_EDGE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } }
  const [normalized, thumbnail, grey] = await Promise.all([
    sharp(data, raw).jpeg({ quality: 82 }).toBuffer(),
    sharp(data, raw)
      .resize({ width: THUMBNAIL_MAX_EDGE, height: THUMBNAIL_MAX_EDGE, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 75 })
      .toBuffer({ resolveWithObject: true }),
    sharp(data, raw).greyscale().resize(9, 8, { fit: 'fill' }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
  ])
  const channels = grey.info.channels
  let dhash = ''
  for (let y = 0; y < 8; y++) {
    let byte = 0
    for (let x = 0; x < 8; x++) byte = (byte << 1) | ((grey.data[(y * 9 + x + 1) * channels] ?? 0) > (grey.data[(y * 9 + x) * channels] ?? 0) ? 1 : 0)
    dhash += byte.toString(16).padStart(2, '0')
  }
  return { sha256, normalized, thumbnail: thumbnail.data, dhash }
}

type Impl = 'floor' | 'pipeline'
const work: Record<Impl, (input: Buffer) => Promise<Outputs>> = { floor: bareSharp, pipeline: processImage }

/* -------------------------------------------------------------------------- */
/* one measurement, in its own process                                        */

interface Measured {
  impl: Impl
  inFlight: number
  seconds: number
  latencies: number[]
  rssBefore: number
  peakRss: number
}

/** A full collection, so "RSS before" is what the process holds, not what it has not collected yet. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc')
  ;(vm.runInNewContext('gc') as () => void)()
}

async function measure(impl: Impl, inFlight: number, dir: string): Promise<Measured> {
  configureSharp(sharp) // the pipeline applies it when it loads sharp; the floor runs with the same settings
  const bases = readBases(dir)
  const tag = `${impl}-${inFlight}-${process.pid}`
  // Warm up libvips and the JIT, and check the floor makes exactly what the pipeline makes.
  const sample = withComment(bases[0]!, `${tag}-check`)
  const [a, b] = [await bareSharp(sample), await processImage(sample)]
  if (a.sha256 !== b.sha256 || a.dhash !== b.dhash || !a.normalized.equals(b.normalized) || !a.thumbnail.equals(b.thumbnail)) {
    throw new Error('the floor does not make the same outputs as the pipeline')
  }
  collectGarbage()
  const rssBefore = process.memoryUsage().rss
  let peakRss = rssBefore
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5)
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  const worker = async () => {
    for (let i = next++; i < PHOTOS; i = next++) {
      const photo = withComment(bases[i % DISTINCT]!, `${tag}-${i}`)
      const t = performance.now()
      await work[impl](photo)
      latencies.push(performance.now() - t)
      peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  return { impl, inFlight, seconds, latencies, rssBefore, peakRss }
}

/* -------------------------------------------------------------------------- */
/* a 12 MP photo answered by the whole assistant while commands keep flowing   */

interface EndToEnd {
  photoMs: number[]
  commandsAloneMs: number[]
  commandsWithPhotosMs: number[]
  photoBatchSeconds: number
  photoBytes: number
}

async function endToEnd(dir: string): Promise<EndToEnd> {
  process.env.LOG_LEVEL = 'silent'
  process.env.WECHATY_LOG = 'silent'
  // Dynamic imports: wechaty-puppet reads WECHATY_LOG when first imported.
  const { migrate } = await import('../../src/db/index.ts')
  const { mockFile, quietWechatyLogs } = await import('../support/puppet-server.ts')
  const { exampleConfig } = await import('../support/township.ts')
  const { BOT_ID, startWireTownship } = await import('../support/wire-township.ts')
  quietWechatyLogs('silent')

  // puppet-service passes a file as one gRPC message, capped at 4 MB: base64 of a 3.8 MB file
  // does not arrive (src/bot/assistant.ts asks the sender to resend). WeChat sends a chat photo
  // recompressed anyway, so the photos here are the same 12 MP pictures at a quality that fits.
  const bases: Buffer[] = []
  for (const base of readBases(dir)) {
    let quality = 85
    let jpeg = await sharp(base).jpeg({ quality }).toBuffer()
    while (jpeg.length * (4 / 3) > 3.8 * MB && quality > 50) jpeg = await sharp(base).jpeg({ quality: (quality -= 5) }).toBuffer()
    bases.push(jpeg)
  }
  const photoBytes = bases.reduce((s, b) => s + b.length, 0) / bases.length
  const dbDir = mkdtempSync(join(os.tmpdir(), 'renju-bench-photos-'))
  const databaseUrl = 'file:' + join(dbDir, 'bench.sqlite')
  await migrate(databaseUrl)
  const config = exampleConfig()
  // The answer to a picture waits photoBatchSeconds (default 3 s) for more pictures of the same
  // batch: policy, not work, so it is made short here, as in the end-to-end tests, and printed.
  // (Not shorter: the timer is armed inside the message's transaction, and a confirmation that
  // fires before the commit finds nothing and says nothing — seen at 0.05 s.)
  const photoBatchSeconds = 0.3
  config.policy.photoBatchSeconds = photoBatchSeconds
  const t = await startWireTownship(config, { databaseUrl })
  try {
    await t.startBot()
    const deadline = performance.now() + E2E_DEADLINE_MS
    const check = () => {
      if (performance.now() > deadline) throw new Error(`the end-to-end part took longer than ${E2E_DEADLINE_MS / 1000} s`)
    }
    // Commands: two cadres in two village groups, each sending the next as soon as answered.
    const commanders = [
      { topic: '渔业村人居环境群', sender: 'wxid_sec_yuye', text: '/统计' },
      { topic: '卫明村人居环境群', sender: 'wxid_sec_weiming', text: '/台账' },
    ]
    let phase: 'alone' | 'photos' | 'stop' = 'alone'
    const commandMs = { alone: [] as number[], photos: [] as number[] }
    const commandLoops = commanders.map(async ({ topic, sender, text }) => {
      while (phase !== 'stop') {
        check()
        const measuredIn = phase
        const t0 = performance.now()
        const reply = await t.say(sender, topic, text, { timeoutMs: 15_000 })
        if (!reply.text.includes('📊') && !reply.text.includes('台账')) throw new Error(`unexpected reply to ${text}: ${reply.text}`)
        if (measuredIn === phase) commandMs[measuredIn].push(performance.now() - t0)
        await new Promise((r) => setTimeout(r, COMMAND_PAUSE_MS))
      }
    })
    await new Promise((r) => setTimeout(r, COMMANDS_ALONE_MS))
    phase = 'photos'
    // Photos: a third cadre in a third group, one at a time, each answered before the next.
    const topic = '卫华村人居环境群'
    const { room, seen } = t.rooms.get(topic)!
    const photographer = t.contact('wxid_sec_weihua')
    const photoMs: number[] = []
    for (let i = 0; i < E2E_PHOTOS; i++) {
      check()
      const photo = withComment(bases[i % DISTINCT]!, `e2e-${process.pid}-${i}`)
      const from = seen.messages.length
      const t0 = performance.now()
      photographer.say(mockFile(photo, `IMG_${i}.jpg`)).to(room)
      const reply = await seen.waitFor((m) => m.talkerId === BOT_ID, 15_000, from)
      photoMs.push(performance.now() - t0)
      if (!reply.text.includes('收到 1 张照片')) throw new Error(`unexpected answer to a photo: ${reply.text}`)
    }
    phase = 'stop'
    await Promise.all(commandLoops)
    return { photoMs, commandsAloneMs: commandMs.alone, commandsWithPhotosMs: commandMs.photos, photoBatchSeconds, photoBytes }
  } finally {
    await t.close()
    rmSync(dbDir, { recursive: true, force: true })
  }
}

/* -------------------------------------------------------------------------- */
/* the parent: generate, run each measurement in a child, report              */

const CHILD_FLAG = '--photo-bench-child'

/** Every measurement runs as `npm start` runs the assistant: its allocator and heap settings, for floor and pipeline alike. */
const settings = startSettings()

function child<T>(args: string[]): T {
  const out = spawnSync(process.execPath, [...settings.nodeFlags, ...process.execArgv, SELF, CHILD_FLAG, ...args], {
    env: { ...process.env, ...settings.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 16 * MB,
    timeout: E2E_DEADLINE_MS + 60_000,
  })
  if (out.status !== 0) throw new Error(`bench child ${args.join(' ')} failed (${out.status ?? out.signal}): ${out.stdout}`)
  const last = out.stdout.trim().split('\n').at(-1) ?? ''
  return JSON.parse(last) as T
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

export async function benchPhotos(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-photos-'))
  try {
    child<null>(['generate', dir])
    const averageBytes = readBases(dir).reduce((s, p) => s + p.length, 0) / DISTINCT
    const runs: Measured[] = []
    for (let round = 0; round < ROUNDS; round++) {
      for (const inFlight of IN_FLIGHT) {
        // Alternate which goes first, so neither always gets the quieter moment.
        const order: Impl[] = round % 2 === 0 ? ['floor', 'pipeline'] : ['pipeline', 'floor']
        for (const impl of order) runs.push(child<Measured>(['measure', impl, String(inFlight), dir]))
      }
    }
    const e2e = child<EndToEnd>(['e2e', dir])

    const of = (impl: Impl, inFlight: number) => runs.filter((r) => r.impl === impl && r.inFlight === inFlight)
    const rate = (rs: Measured[]) => (rs.length * PHOTOS) / rs.reduce((s, r) => s + r.seconds, 0)
    const peak = (rs: Measured[]) => Math.max(...rs.map((r) => r.peakRss)) / MB
    const before = (rs: Measured[]) => Math.max(...rs.map((r) => r.rssBefore)) / MB
    const lat = (rs: Measured[], p: number) => percentile(rs.flatMap((r) => r.latencies), p)
    const f0 = (n: number) => n.toFixed(0)
    const f1 = (n: number) => n.toFixed(1)

    console.log(
      `\nPhotos: ${WIDTH}×${HEIGHT} JPEG (q92, ${(averageBytes / MB).toFixed(2)} MB average), ${PHOTOS} per run, ${ROUNDS} rounds, ` +
        `each run in a fresh process. CPUs: ${os.availableParallelism()}, load average ${os.loadavg().map(f1).join(' ')}; ` +
        `sharp concurrency ${SHARP_SETTINGS.concurrency}, cache ${SHARP_SETTINGS.cache ? 'on' : 'off'}, ` +
        `UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}; npm start's settings for both (\`${settings.script}\`).`,
    )
    console.log('Floor: bare sharp making the same outputs (checked byte for byte) from one decode, same sharp settings.')
    console.log('| figure | pipeline | floor | pipeline ÷ floor | target |')
    console.log('|---|--:|--:|--:|---|')
    for (const n of IN_FLIGHT) {
      const [p, f] = [of('pipeline', n), of('floor', n)]
      console.log(`| photos/s, ${n} in flight | ${f1(rate(p))} | ${f1(rate(f))} | ${(rate(p) / rate(f)).toFixed(2)}× | ≥ 0.8× |`)
      console.log(`| ms/photo p50 / p99, ${n} in flight | ${f0(lat(p, 50))} / ${f0(lat(p, 99))} | ${f0(lat(f, 50))} / ${f0(lat(f, 99))} | | |`)
      console.log(
        `| peak RSS MB, ${n} in flight (RSS before) | ${f0(peak(p))} (${f0(before(p))}) | ${f0(peak(f))} (${f0(before(f))}) | | ${n === 4 ? '≤ 400 MB' : ''} |`,
      )
    }
    console.log(
      `| 12 MP photo answered by the assistant while commands flow, p50 / p99 ms (${e2e.photoMs.length} photos; floor: sharp alone, 1 in flight) ` +
        `| ${f0(percentile(e2e.photoMs, 50))} / ${f0(percentile(e2e.photoMs, 99))} | ${f0(lat(of('floor', 1), 50))} / ${f0(lat(of('floor', 1), 99))} | | p99 ≤ 1000 ms |`,
    )
    console.log(
      `| commands (/统计, /台账 in two other groups) p50 / p99 ms, while photos flow (floor: the same commands without photos) ` +
        `| ${f0(percentile(e2e.commandsWithPhotosMs, 50))} / ${f0(percentile(e2e.commandsWithPhotosMs, 99))} ` +
        `| ${f0(percentile(e2e.commandsAloneMs, 50))} / ${f0(percentile(e2e.commandsAloneMs, 99))} | | |`,
    )
    console.log(
      `End to end: over the real gRPC transport (mock WeChat, puppet-service), one ${WIDTH}×${HEIGHT} photo ` +
        `(${(e2e.photoBytes / MB).toFixed(2)} MB average: under the transport's 4 MB cap) at a time from one cadre while two others ` +
        `each send a command ${COMMAND_PAUSE_MS} ms after the last is answered (${e2e.commandsWithPhotosMs.length} commands during the photos, ` +
        `${e2e.commandsAloneMs.length} before); the answer includes photoBatchSeconds = ${e2e.photoBatchSeconds} s (the wait for more pictures).`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf(CHILD_FLAG)
  if (at < 0) {
    await benchPhotos()
  } else {
    const [mode, ...args] = process.argv.slice(at + 1)
    let result: unknown = null
    if (mode === 'generate') await generateInto(args[0]!)
    else if (mode === 'measure') result = await measure(args[0] as Impl, Number(args[1]), args[2]!)
    else if (mode === 'e2e') result = await endToEnd(args[0]!)
    else throw new Error(`unknown bench child mode ${String(mode)}`)
    console.log(JSON.stringify(result))
    // gRPC and LevelDB handles can outlive a stopped bot by a moment; the result is out.
    process.exit(0)
  }
}
