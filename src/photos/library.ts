// The township's photos as records: each picture stored once, linked to problems and reports
// as evidence, and checked against every earlier picture for reuse.
import type { Database } from '../db/index.ts'
import type { Photo, PhotoLink } from '../db/generated/client.ts'
import { formatDate, type Clock } from '../time.ts'
import { bandProbes, hammingDistance, hashBands, processImage, SIMILAR_MAX_DISTANCE, type ImageLimits } from './image.ts'
import type { PhotoStore } from './store.ts'

export type PhotoKind = '整改前' | '整改后' | '随手拍' | '庭院'
export type { Photo, PhotoLink }

/** What a photo is evidence for: a problem, a resident's report, or a campaign record (a model courtyard). */
export interface EvidenceTarget {
  problemId?: number
  reportId?: number
  recordId?: number
  kind: PhotoKind
}

/** Whose confirmation, where, for which batch of photos ("12:整改前", or "unpaired"). */
export interface ConfirmationKey {
  conversationId: string
  talkerId: string
  batch: string
}

export interface Who {
  id: string
  name: string
  messageId?: string
}

export class PhotoLibrary {
  constructor(
    private readonly db: Database,
    private readonly store: PhotoStore,
    private readonly now: Clock,
    private readonly limits?: ImageLimits,
  ) {}

  /**
   * Checks, stores and records a received picture as a sighting of its own: the same bytes
   * again (forwarded, re-sent) are this sender's photo here and now, of the file stored once.
   * Throws a PhotoError with a Chinese reason for anything not a photo.
   */
  async receive(data: Buffer, from: Who & { conversationId: string }): Promise<Photo> {
    const image = await processImage(data, this.limits)
    await this.store.save(image, data) // writes only what is not stored yet
    return this.db.photo.create({
      data: {
        sha256: image.sha256,
        dhash: image.dhash,
        format: image.format,
        width: image.width,
        height: image.height,
        bytes: image.bytes,
        takenAt: image.takenAt,
        gpsLatitude: image.gps?.latitude,
        gpsLongitude: image.gps?.longitude,
        senderId: from.id,
        senderName: from.name,
        conversationId: from.conversationId,
        messageId: from.messageId ?? '',
        receivedAt: this.now(),
        bands: { create: hashBands(image.dhash).map((value, band) => ({ band, value })) },
      },
    })
  }

  /**
   * Links photos to a problem or report. A photo already used as evidence elsewhere (the
   * same picture, or one within the reuse distance) is linked with a note saying where;
   * `checkReuse: false` carries a report's photos over to the problem it became. The same
   * file already linked to the target as this kind is a repeat: counted, not linked again.
   */
  async link(photos: Photo[], target: EvidenceTarget, by: Who, options = { checkReuse: true }): Promise<{ linked: number; repeated: number; reuseNotes: string[] }> {
    const reuseNotes: string[] = []
    let linked = 0
    let repeated = 0
    for (const photo of photos) {
      // Given to this target either way, so that pairing does not offer it to the next command.
      await this.db.photo.updateMany({ where: { id: photo.id, pairedAt: null }, data: { pairedAt: this.now() } })
      const exists = await this.db.photoLink.findFirst({
        where: { photo: { sha256: photo.sha256 }, problemId: target.problemId ?? null, reportId: target.reportId ?? null, recordId: target.recordId ?? null, kind: target.kind },
      })
      if (exists) {
        repeated++
        continue
      }
      const reuseNote = options.checkReuse ? await this.reuseNote(photo, target) : undefined
      await this.db.photoLink.create({
        data: {
          photoId: photo.id,
          problemId: target.problemId,
          reportId: target.reportId,
          recordId: target.recordId,
          kind: target.kind,
          reuseNote,
          linkedById: by.id,
          linkedByName: by.name,
          messageId: by.messageId,
          linkedAt: this.now(),
        },
      })
      linked++
      if (reuseNote) reuseNotes.push(reuseNote)
    }
    return { linked, repeated, reuseNotes }
  }

  /** A sender's photos in a conversation since `since` not given to anything yet. */
  unpaired(conversationId: string, senderId: string, since: Date): Promise<Photo[]> {
    return this.db.photo.findMany({
      where: { conversationId, senderId, receivedAt: { gte: since }, pairedAt: null },
      orderBy: { id: 'asc' },
    })
  }

  /**
   * What a sender's picture messages came to, read once their transactions are over: links
   * made for `target` and their reuse notes, repeats (paired, no link), and sightings still
   * waiting for a target. Rolled-back messages left nothing, so they count for nothing.
   */
  /**
   * A recalled picture: taken off whatever it was given to. Returns what it was linked to, for
   * the reply ("#12 的一张整改前照片已移除").
   */
  async unlinkMessage(conversationId: string, messageId: string): Promise<{ problemId: number | null; reportId: number | null; recordId: number | null; kind: string }[]> {
    const sightings = await this.db.photo.findMany({ where: { conversationId, messageId }, select: { id: true } })
    const ids = sightings.map((p) => p.id)
    if (ids.length === 0) return []
    const links = await this.db.photoLink.findMany({ where: { photoId: { in: ids } }, select: { problemId: true, reportId: true, recordId: true, kind: true } })
    await this.db.photoLink.deleteMany({ where: { photoId: { in: ids } } })
    // Taken back: no later /问题 or /照片 may pick it up as waiting.
    await this.db.photo.updateMany({ where: { id: { in: ids }, pairedAt: null }, data: { pairedAt: new Date() } })
    return links
  }

  async recordedFrom(sender: { conversationId: string; senderId: string }, messageIds: string[], target?: EvidenceTarget): Promise<{ linked: number; repeated: number; waiting: number; reuseNotes: string[] }> {
    const sightings = await this.db.photo.findMany({ where: { ...sender, messageId: { in: messageIds } }, select: { id: true, pairedAt: true } })
    const waiting = sightings.filter((p) => !p.pairedAt).length
    if (!target) return { linked: 0, repeated: 0, waiting, reuseNotes: [] }
    const links = await this.db.photoLink.findMany({
      where: { photoId: { in: sightings.map((p) => p.id) }, problemId: target.problemId ?? null, reportId: target.reportId ?? null, recordId: target.recordId ?? null, kind: target.kind },
      select: { photoId: true, reuseNote: true },
      // The order the notes are read in: PostgreSQL returns rows in no particular order without one.
      orderBy: { id: 'asc' },
    })
    const linkedIds = new Set(links.map((l) => l.photoId))
    return {
      linked: links.length,
      repeated: sightings.filter((p) => p.pairedAt && !linkedIds.has(p.id)).length,
      waiting,
      reuseNotes: links.flatMap((l) => (l.reuseNote ? [l.reuseNote] : [])),
    }
  }

  /**
   * Owes the sender a confirmation for a photo just recorded (in the photo's transaction): one
   * per sender, conversation and batch, covering every photo of it, due `delayMs` after this one.
   */
  async oweConfirmation(key: ConfirmationKey, messageId: string, target: EvidenceTarget | undefined, delayMs: number): Promise<void> {
    const dueAt = new Date(this.now().getTime() + delayMs)
    const where = { conversationId_talkerId_batch: key }
    const row = await this.db.photoConfirmation.findUnique({ where, select: { messageIds: true } })
    if (row) {
      const messageIds = [...(JSON.parse(row.messageIds) as string[]), messageId]
      await this.db.photoConfirmation.update({ where, data: { messageIds: JSON.stringify(messageIds), dueAt } })
    } else {
      await this.db.photoConfirmation.create({ data: { ...key, target: target ? JSON.stringify(target) : null, messageIds: JSON.stringify([messageId]), dueAt } })
    }
  }

  /** The confirmations owed (left by a restart, or a timer that did not fire), and how long until each is due. */
  async confirmationsOwed(): Promise<{ key: ConfirmationKey; inMs: number }[]> {
    const rows = await this.db.photoConfirmation.findMany({ select: { conversationId: true, talkerId: true, batch: true, dueAt: true }, orderBy: { dueAt: 'asc' } })
    const now = this.now().getTime()
    return rows.map(({ dueAt, ...key }) => ({ key, inMs: dueAt.getTime() - now }))
  }

  /**
   * Takes a confirmation owed (`dueOnly`: if due by now): deleted here, in the caller's
   * transaction that sends it, so it goes once even when a timer and a sweep (or two processes)
   * both try.
   */
  async takeConfirmation(key: ConfirmationKey, dueOnly: boolean): Promise<{ messageIds: string[]; target?: EvidenceTarget } | undefined> {
    const row = await this.db.photoConfirmation.findUnique({ where: { conversationId_talkerId_batch: key } })
    if (!row || (dueOnly && row.dueAt > this.now())) return undefined
    const { count } = await this.db.photoConfirmation.deleteMany({ where: { ...key, dueAt: row.dueAt } })
    if (count !== 1) return undefined
    return { messageIds: JSON.parse(row.messageIds) as string[], ...(row.target ? { target: JSON.parse(row.target) as EvidenceTarget } : {}) }
  }

  /** Photo counts of a problem, and the reuse notes on them, for /查询 and /销号. */
  async evidenceOf(problemId: number): Promise<{ before: number; after: number; reuseNotes: string[] }> {
    const links = await this.db.photoLink.findMany({ where: { problemId }, select: { kind: true, reuseNote: true }, orderBy: { id: 'asc' } })
    return {
      before: links.filter((l) => l.kind === '整改前').length,
      after: links.filter((l) => l.kind === '整改后').length,
      reuseNotes: links.flatMap((l) => (l.reuseNote ? [l.reuseNote] : [])),
    }
  }

  /** The newest photo of a kind on a problem or report, with its link. */
  newest(target: EvidenceTarget): Promise<(PhotoLink & { photo: Photo }) | null> {
    return this.db.photoLink.findFirst({
      where: { problemId: target.problemId, reportId: target.reportId, recordId: target.recordId, kind: target.kind },
      orderBy: { id: 'desc' },
      include: { photo: true },
    })
  }

  linksOf(reportId: number): Promise<(PhotoLink & { photo: Photo })[]> {
    return this.db.photoLink.findMany({ where: { reportId }, include: { photo: true }, orderBy: { id: 'asc' } })
  }

  readNormalized(photo: Photo): Promise<Buffer> {
    return this.store.readNormalized(photo.sha256)
  }

  /** Where this picture (or a near copy) was used before for something else, in words. */
  private async reuseNote(photo: Photo, target: EvidenceTarget): Promise<string | undefined> {
    // Multi-index lookup: a near copy has some 16-bit band within 2 bits of this one's (see image.ts).
    const candidates = await this.db.photoHashBand.findMany({
      where: { OR: bandProbes(photo.dhash).map((values, band) => ({ band, value: { in: values } })) },
      select: { photo: true },
      distinct: ['photoId'],
    })
    const similar = candidates.map((c) => c.photo).filter((p) => hammingDistance(p.dhash, photo.dhash) <= SIMILAR_MAX_DISTANCE)
    if (similar.length === 0) return undefined
    const similarIds = similar.map((p) => p.id)
    // The problem's own before photo sent again as its after photo (or the other way round)
    // is the most obvious way to fake a rectification: named first, and plainly.
    const own = target.problemId
      ? await this.db.photoLink.findFirst({
          where: { photoId: { in: similarIds }, problemId: target.problemId, NOT: { kind: target.kind } },
          orderBy: { id: 'asc' },
          include: { photo: true },
        })
      : null
    if (own) return `该照片与本问题 #${own.problemId} 的${own.kind}照片高度相似（${formatDate(own.photo.receivedAt)} ${own.photo.senderName}），请核实是否确已整改`
    const earlier = await this.db.photoLink.findFirst({
      where: {
        photoId: { in: similarIds },
        NOT: { problemId: target.problemId ?? null, reportId: target.reportId ?? null, recordId: target.recordId ?? null },
      },
      orderBy: { id: 'asc' },
      include: { photo: true },
    })
    if (!earlier) return undefined
    const where = earlier.problemId
      ? `#${earlier.problemId} 的${earlier.kind}照片`
      : earlier.reportId
        ? `随手拍 R${earlier.reportId} 的照片`
        : `最美庭院（记录 ${earlier.recordId}）的照片`
    return `该照片与 ${where}高度相似（${formatDate(earlier.photo.receivedAt)} ${earlier.photo.senderName}）`
  }
}

/** "已为 #12 添加整改前照片 2 张": what was added to a target; repeats are said, not counted. */
export function photosAddedText(target: EvidenceTarget, linked: number, repeated: number): string {
  const [owner, photos] = target.problemId
    ? [`#${target.problemId}`, `${target.kind}照片`]
    : target.reportId
      ? [`随手拍 R${target.reportId}`, '照片']
      : [`最美庭院（记录 ${target.recordId}）`, '照片']
  // No space after a closing bracket: 最美庭院（记录 2）添加照片, as before.
  const gap = owner.endsWith('）') ? '' : ' '
  if (linked === 0) return `${owner}${gap}的${photos}里已有${repeated > 1 ? '这些' : '这张'}照片，没有重复计入。`
  const repeats = repeated > 0 ? `（另有 ${repeated} 张是重复发送的同一张照片，没有重复计入）` : ''
  return `已为 ${owner}${gap}添加${photos} ${linked} 张${repeats}`
}
