// A picture message: stored and checked, then given to the sender's open window (the command
// that asked for it). Several pictures in a row get one confirmation; a picture with nothing
// to belong to gets a question. Residents' pictures outside a 随手拍 are ordinary chat.
// The confirmation goes out later, outside the messages' transactions, so its numbers are
// read back from what those transactions recorded, not counted as the pictures came in.
import type { Actor } from '../config/township.ts'
import { STATUS } from '../ledger/index.ts'
import type { Logger } from '../log.ts'
import { PhotoError, photosAddedText, type EvidenceTarget, type PhotoLibrary } from '../photos/index.ts'
import type { CommandReply } from '../registry/define.ts'
import type { Services } from '../services.ts'
import { applyProgress } from './progress.ts'

/** What photo intake needs of a message. */
export interface PictureMessage {
  id: string
  conversationId: string
  talkerId: string
  photo?: Buffer | 'unavailable'
}

export type PhotoIntake = (message: PictureMessage, actor: Actor, services: Services) => Promise<{ reply: CommandReply; outcome: string } | undefined>

/** `root`: the services outside any transaction, for confirmations sent after the messages' transactions. */
export function createPhotoIntake(root: Services, logger: Logger): PhotoIntake {
  const batches = new PhotoBatches(root.photos, root.notify, root.policy.photoBatchSeconds * 1000, logger)

  return async function intakePhoto(message, actor, services) {
    const data = message.photo
    if (!data) return undefined
    const { photos, pairing, ledger } = services
    const window = await pairing.active(message.conversationId, message.talkerId)
    if (!window && actor.role === 'resident') return undefined
    if (data === 'unavailable') return { reply: '这张照片没有收到（文件太大或网络不好），请重新发送一次。', outcome: 'photo unavailable' }
    const batchKey = window ? `${window.target.problemId ?? window.target.reportId ?? window.target.recordId}:${window.target.kind}` : 'unpaired'
    batches.pause(message, batchKey) // the confirmation waits while this photo is processed
    let photo
    try {
      photo = await photos.receive(data, { id: actor.id, name: actor.name, messageId: message.id, conversationId: message.conversationId })
    } catch (error) {
      batches.resume(message, batchKey)
      if (error instanceof PhotoError) return { reply: error.message, outcome: 'photo refused' }
      throw error
    }
    const by = { id: actor.id, name: actor.name, messageId: message.id }
    if (!window) {
      batches.add(message, batchKey)
      return { reply: '', outcome: 'photo unpaired' }
    }
    const { reuseNotes } = await photos.link([photo], window.target, by)
    const { problemId } = window.target
    if (window.held && problemId) {
      await pairing.release(message.conversationId, message.talkerId)
      const problem = await ledger.find(problemId)
      const text = await applyProgress(services, { problem, status: STATUS.done, note: window.held.note, actor, messageId: window.held.messageId })
      return { reply: [`收到 #${problemId} 的整改后照片。`, ...reuseNotes.map((n) => `⚠️ ${n}`), text].join('\n'), outcome: 'photo completes' }
    }
    batches.add(message, batchKey, window.target)
    return { reply: '', outcome: 'photo linked' }
  }
}

interface Batch {
  messageIds: string[]
  /** Undefined: pictures with no window, waiting for /照片 编号. */
  target?: EvidenceTarget
  timer?: NodeJS.Timeout
}

/** One confirmation for several photos in a row: sent once the sender has paused. */
class PhotoBatches {
  private readonly open = new Map<string, Batch>()

  constructor(
    private readonly photos: PhotoLibrary,
    private readonly notify: Services['notify'],
    private readonly delayMs: number,
    private readonly logger: Logger,
  ) {}

  /** Holds an open batch's confirmation while another photo for it is being processed. */
  pause(message: PictureMessage, target: string): void {
    clearTimeout(this.open.get(this.key(message, target))?.timer)
  }

  /** Sends a paused batch's confirmation after all (the photo being processed was refused). */
  resume(message: PictureMessage, target: string): void {
    const key = this.key(message, target)
    const batch = this.open.get(key)
    if (batch) this.arm(key, message, batch)
  }

  add(message: PictureMessage, batchKey: string, target?: EvidenceTarget): void {
    const key = this.key(message, batchKey)
    const batch = this.open.get(key) ?? { messageIds: [], target }
    batch.messageIds.push(message.id)
    this.open.set(key, batch)
    this.arm(key, message, batch)
  }

  private arm(key: string, message: PictureMessage, batch: Batch): void {
    clearTimeout(batch.timer)
    batch.timer = setTimeout(() => {
      this.open.delete(key)
      this.confirm(message, batch).catch((err: unknown) => this.logger.error({ err }, 'photo confirmation failed'))
    }, this.delayMs)
  }

  private async confirm(message: PictureMessage, batch: Batch): Promise<void> {
    const sender = { conversationId: message.conversationId, senderId: message.talkerId }
    const { linked, repeated, waiting, reuseNotes } = await this.photos.recordedFrom(sender, batch.messageIds, batch.target)
    let text: string
    if (batch.target && linked + repeated > 0) {
      text = [photosAddedText(batch.target, linked, repeated), ...reuseNotes.map((n) => `⚠️ ${n}`)].join('\n')
    } else if (!batch.target && waiting > 0) {
      text = `收到 ${waiting} 张照片。这是哪个问题的？请回复 /照片 编号（例如 /照片 12），照片就会归到该问题。`
    } else {
      return // nothing was recorded (rolled back), or /照片 编号 already took the pictures
    }
    await this.notify.send(message.conversationId, text, [message.talkerId])
  }

  private key(message: PictureMessage, target: string): string {
    return `${message.conversationId}|${message.talkerId}|${target}`
  }
}
