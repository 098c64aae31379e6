// Content-addressed storage of photos on disk:
//
//   <root>/ab/cd/<sha256>.<ext>        the original bytes, with their real extension
//   <root>/ab/cd/<sha256>.norm.jpg     the normalised JPEG
//   <root>/ab/cd/<sha256>.thumb.jpg    the thumbnail
//
// where ab and cd are the first two byte pairs of the hash of the original. (The normalised
// JPEG is ".norm.jpg", not ".jpg": for a JPEG original, "<sha256>.jpg" is the original itself,
// whose bytes then match its name.)
//
// A file that exists is complete: each is written to a temporary file in the same directory,
// flushed to disk and renamed into place (rename is atomic), so a crash leaves either no file
// or the whole file (plus, at worst, a stray ".tmp" file). Saving content already stored writes
// nothing; two saves of the same content racing each other both rename identical bytes into
// place, which is harmless.
import { createHash, randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { access, mkdir, open, readFile, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { FORMAT_EXTENSIONS, type ImageFormat, type ProcessedImage } from './image.ts'

export interface StoredPhotoPaths {
  originalPath: string
  normalizedPath: string
  thumbnailPath: string
}

export interface SaveResult extends StoredPhotoPaths {
  /** True when every file was already there and nothing was written. */
  alreadyStored: boolean
}

const SHA256_PATTERN = /^[0-9a-f]{64}$/

export class PhotoStore {
  constructor(readonly rootDir: string) {}

  /** Where the files of the photo with this hash and original format live (whether stored or not). */
  paths(sha256: string, format: ImageFormat): StoredPhotoPaths {
    const dir = this.dirOf(sha256)
    const ext = FORMAT_EXTENSIONS[format]
    if (!ext) throw new Error(`unknown photo format: ${JSON.stringify(format)}`)
    return {
      originalPath: join(dir, `${sha256}.${ext}`),
      normalizedPath: join(dir, `${sha256}.norm.jpg`),
      thumbnailPath: join(dir, `${sha256}.thumb.jpg`),
    }
  }

  /** Store a processed photo and its original bytes; content already stored is not written again. */
  async save(image: ProcessedImage, original: Buffer): Promise<SaveResult> {
    const actual = createHash('sha256').update(original).digest('hex')
    if (actual !== image.sha256) {
      throw new Error(`original bytes hash to ${actual}, not to the processed image's ${image.sha256}`)
    }
    const paths = this.paths(image.sha256, image.format)
    await mkdir(dirname(paths.originalPath), { recursive: true })
    // Derived files first, the original last: the original's presence means a complete set
    // (unless a crash came between, in which case the next save fills in what is missing).
    const written = [
      await writeOnce(paths.thumbnailPath, image.thumbnail),
      await writeOnce(paths.normalizedPath, image.normalized),
      await writeOnce(paths.originalPath, original),
    ]
    if (written.some(Boolean)) await syncDirectory(dirname(paths.originalPath))
    return { ...paths, alreadyStored: !written.some(Boolean) }
  }

  /** The normalised JPEG of a stored photo. */
  async readNormalized(sha256: string): Promise<Buffer> {
    const path = join(this.dirOf(sha256), `${sha256}.norm.jpg`)
    try {
      return await readFile(path)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(`photo ${sha256} is not stored (no ${path})`)
      }
      throw e
    }
  }

  private dirOf(sha256: string): string {
    if (!SHA256_PATTERN.test(sha256)) throw new Error(`not a SHA-256 hex digest: ${JSON.stringify(sha256)}`)
    return join(this.rootDir, sha256.slice(0, 2), sha256.slice(2, 4))
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK)
    return true
  } catch {
    return false
  }
}

/** Write `data` to `path` atomically unless `path` already exists; true if written. */
async function writeOnce(path: string, data: Buffer): Promise<boolean> {
  if (await exists(path)) return false
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (e) {
    await unlink(temp).catch(() => {})
    throw e
  }
  return true
}

/** Make the renames themselves durable (best effort: not every platform can fsync a directory). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // ignore
  }
}
