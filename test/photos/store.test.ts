import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { processImage } from '../../src/photos/image.ts'
import { PhotoStore } from '../../src/photos/store.ts'
import { sharpOf, syntheticJpeg, syntheticPhoto } from './synth.ts'

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'photo-store-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort()
}

describe('PhotoStore', () => {
  it('stores original, normalised JPEG and thumbnail under <root>/ab/cd/<sha256>…', async () => {
    const original = await syntheticJpeg(21, 400, 300)
    const image = await processImage(original)
    const store = new PhotoStore(root)
    const saved = await store.save(image, original)

    const sha = image.sha256
    expect(sha).toBe(createHash('sha256').update(original).digest('hex'))
    const dir = join(root, sha.slice(0, 2), sha.slice(2, 4))
    expect(saved).toEqual({
      originalPath: join(dir, `${sha}.jpg`),
      normalizedPath: join(dir, `${sha}.norm.jpg`),
      thumbnailPath: join(dir, `${sha}.thumb.jpg`),
      alreadyStored: false,
    })
    expect(store.paths(sha, 'jpeg')).toEqual({
      originalPath: saved.originalPath,
      normalizedPath: saved.normalizedPath,
      thumbnailPath: saved.thumbnailPath,
    })
    expect(readFileSync(saved.originalPath).equals(original)).toBe(true)
    expect(readFileSync(saved.normalizedPath).equals(image.normalized)).toBe(true)
    expect(readFileSync(saved.thumbnailPath).equals(image.thumbnail)).toBe(true)
    expect(tree(root)).toHaveLength(3)

    const normalized = await store.readNormalized(sha)
    expect(normalized.equals(image.normalized)).toBe(true)
    expect((await sharp(normalized).metadata()).format).toBe('jpeg')
  })

  it('stores the same content once: a second save writes nothing', async () => {
    const original = await syntheticJpeg(22, 300, 200)
    const store = new PhotoStore(root)
    const first = await store.save(await processImage(original), original)
    const files = tree(root)
    const mtimes = files.map((f) => statSync(join(root, f)).mtimeMs)

    // Processed again from a copy of the bytes, as when the same picture is sent twice.
    const again = await store.save(await processImage(Buffer.from(original)), Buffer.from(original))
    expect(again).toEqual({ ...first, alreadyStored: true })
    expect(tree(root)).toEqual(files)
    expect(files.map((f) => statSync(join(root, f)).mtimeMs)).toEqual(mtimes)
  })

  it('keeps concurrent saves of the same content to one set, with no temporary files left', async () => {
    const original = await syntheticJpeg(23, 300, 200)
    const image = await processImage(original)
    const store = new PhotoStore(root)
    await Promise.all(Array.from({ length: 8 }, () => store.save(image, original)))
    const sha = image.sha256
    expect(tree(root)).toEqual(
      [`${sha}.jpg`, `${sha}.norm.jpg`, `${sha}.thumb.jpg`].map((f) => join(sha.slice(0, 2), sha.slice(2, 4), f)).sort(),
    )
  })

  it('uses the original format’s real extension', async () => {
    const png = await sharpOf(syntheticPhoto(24, 120, 90)).png().toBuffer()
    const store = new PhotoStore(root)
    const saved = await store.save(await processImage(png), png)
    expect(saved.originalPath.endsWith(`.png`)).toBe(true)
    expect(readFileSync(saved.originalPath).equals(png)).toBe(true)
    expect(store.paths('a'.repeat(64), 'heif').originalPath).toBe(join(root, 'aa', 'aa', `${'a'.repeat(64)}.heic`))
    expect(store.paths('b'.repeat(64), 'avif').originalPath.endsWith('.avif')).toBe(true)
  })

  it('fills in what a crash left missing, and ignores a stray temporary file', async () => {
    const original = await syntheticJpeg(25, 200, 150)
    const image = await processImage(original)
    const store = new PhotoStore(root)
    const saved = await store.save(image, original)
    unlinkSync(saved.originalPath)
    const stray = join(root, image.sha256.slice(0, 2), image.sha256.slice(2, 4), `.${image.sha256}.jpg.1.x.tmp`)
    writeFileSync(stray, original.subarray(0, 10))
    const again = await store.save(image, original)
    expect(again.alreadyStored).toBe(false)
    expect(readFileSync(saved.originalPath).equals(original)).toBe(true)
    expect(tree(root)).toHaveLength(4) // the three files and the stray
  })

  it('refuses bytes that are not the processed image, and hashes that are not SHA-256', async () => {
    const original = await syntheticJpeg(26, 200, 150)
    const image = await processImage(original)
    const store = new PhotoStore(root)
    await expect(store.save(image, Buffer.concat([original, Buffer.from([0])]))).rejects.toThrow(/hash/)
    expect(() => store.paths('../../etc/passwd', 'jpeg')).toThrow(/SHA-256/)
    await expect(store.readNormalized('ABC')).rejects.toThrow(/SHA-256/)
    await expect(store.readNormalized('c'.repeat(64))).rejects.toThrow(/not stored/)
    expect(tree(root)).toEqual([])
  })
})
