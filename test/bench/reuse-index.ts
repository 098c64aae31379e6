// How long the reuse check takes for a new photo against 100,000 stored ones, through the
// band index, beside a full scan of every hash (what the index saves).
//   npx tsx test/bench/reuse-index.ts
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { migrate, openDatabase } from '../../src/db/index.ts'
import { hammingDistance, hashBands, PhotoLibrary, PhotoStore, SIMILAR_MAX_DISTANCE } from '../../src/photos/index.ts'

process.env.LOG_LEVEL ??= 'silent'
const PHOTOS = 100_000
const CHECKS = 300

const dir = mkdtempSync(join(tmpdir(), 'renju-reuse-bench-'))
try {
  const file = join(dir, 'bench.sqlite')
  await migrate('file:' + file)

  // Fill the photo tables directly: 100,000 random hashes, each linked to a problem.
  const raw = new Database(file)
  const filled = performance.now()
  const insertPhoto = raw.prepare(
    `INSERT INTO Photo (sha256, dhash, format, width, height, bytes, senderId, senderName, conversationId, messageId, receivedAt)
     VALUES (?, ?, 'jpeg', 1600, 1200, 500000, 'wxid_x', '某某', 'room@chatroom', 'm', ?)`,
  )
  const insertBand = raw.prepare('INSERT INTO PhotoHashBand (photoId, band, value) VALUES (?, ?, ?)')
  const insertLink = raw.prepare(`INSERT INTO PhotoLink (photoId, problemId, kind, linkedById, linkedByName, linkedAt) VALUES (?, ?, '整改前', 'wxid_x', '某某', ?)`)
  const stored: string[] = []
  raw.transaction(() => {
    for (let i = 0; i < PHOTOS; i++) {
      const dhash = randomBytes(8).toString('hex')
      stored.push(dhash)
      const id = Number(insertPhoto.run(randomBytes(32).toString('hex'), dhash, Date.now()).lastInsertRowid)
      hashBands(dhash).forEach((value, band) => insertBand.run(id, band, value))
      insertLink.run(id, 1 + (i % 5000), Date.now())
    }
  })()
  raw.close()
  const fillSeconds = (performance.now() - filled) / 1000

  const db = await openDatabase('file:' + file)
  const library = new PhotoLibrary(db, new PhotoStore(join(dir, 'photos')), () => new Date())
  const byWho = { id: 'wxid_bench', name: '测试' }
  // Half the checks are near copies of a stored photo (a few bits flipped), half are new.
  const probes = Array.from({ length: CHECKS }, (_, i) => {
    if (i % 2 === 1) return randomBytes(8).toString('hex')
    let value = BigInt('0x' + stored[(i * 7919) % PHOTOS]!)
    for (let b = 0; b < 5; b++) value ^= 1n << BigInt((i * 13 + b * 11) % 64)
    return value.toString(16).padStart(16, '0')
  })

  const indexed: number[] = []
  let flagged = 0
  for (const [i, dhash] of probes.entries()) {
    const photo = await db.photo.create({
      data: { sha256: randomBytes(32).toString('hex'), dhash, format: 'jpeg', width: 1, height: 1, bytes: 1, senderId: 'b', senderName: '测试', conversationId: 'c', messageId: 'm', receivedAt: new Date(), bands: { create: hashBands(dhash).map((value, band) => ({ band, value })) } },
    })
    const start = performance.now()
    const { reuseNotes } = await library.link([photo], { problemId: 100_000 + i, kind: '整改后' }, byWho)
    indexed.push(performance.now() - start)
    flagged += reuseNotes.length
  }

  const scan: number[] = []
  for (const dhash of probes.slice(0, 30)) {
    const start = performance.now()
    const all = await db.photo.findMany({ select: { id: true, dhash: true } })
    all.filter((p) => hammingDistance(p.dhash, dhash) <= SIMILAR_MAX_DISTANCE)
    scan.push(performance.now() - start)
  }
  await db.$disconnect()

  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!.toFixed(1)
  console.log('')
  console.log(`reuse check against ${PHOTOS.toLocaleString()} stored photos (filled in ${fillSeconds.toFixed(1)} s)`)
  console.log(`  band index (4×16 bit, probe radius 2): p50 ${pct(indexed, 50)} ms, p99 ${pct(indexed, 99)} ms over ${CHECKS} checks; near copies flagged ${flagged}/${CHECKS / 2}`)
  console.log(`  full scan of every hash, for comparison:  p50 ${pct(scan, 50)} ms over ${scan.length} checks`)
  if (flagged !== CHECKS / 2) throw new Error(`expected ${CHECKS / 2} near copies flagged, got ${flagged}`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
