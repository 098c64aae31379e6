// A picture message: stored and checked, then given to the sender's open window (the command
// that asked for it). Several pictures in a row get one confirmation; a picture with nothing
// to belong to gets a question. Residents' pictures outside a 随手拍 are ordinary chat.
import type { Actor } from '../config/township.ts'
import { STATUS } from '../ledger/index.ts'
import type { Logger } from '../log.ts'
import { PhotoError } from '../photos/index.ts'
import type { CommandReply, Services } from '../registry/define.ts'
import { applyProgress } from './progress.ts'

/** What photo intake needs of a message. */
export interface PictureMessage {
  id: string
  conversationId: string
  talkerId: string
  photo?: Buffer | 'unavailable'
}

export type PhotoIntake = (message: PictureMessage, actor: Actor, services: Services) => Promise<{ reply: CommandReply; outcome: string } | undefined>

/** `services` are the root ones: batched confirmations go out after the message's transaction. */
export function createPhotoIntake(services: Services, logger: Logger): PhotoIntake {
  const batches = new PhotoBatches(services.notify, services.policy.photoBatchSeconds * 1000, logger)

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
      batches.add(message, batchKey, [], (n) => `收到 ${n} 张照片。这是哪个问题的？请回复 /照片 编号（例如 /照片 12），照片就会归到该问题。`)
      return { reply: '', outcome: 'photo unpaired' }
    }
    const { reuseNotes } = await photos.link([photo], window.target, by)
    const { problemId, reportId, recordId, kind } = window.target
    if (window.held && problemId) {
      await pairing.release(message.conversationId, message.talkerId)
      const problem = await ledger.find(problemId)
      const text = await applyProgress(services, { problem, status: STATUS.done, note: window.held.note, actor, messageId: window.held.messageId })
      return { reply: [`收到 #${problemId} 的整改后照片。`, ...reuseNotes.map((n) => `⚠️ ${n}`), text].join('\n'), outcome: 'photo completes' }
    }
    const what = problemId ? `#${problemId} 添加${kind}照片` : reportId ? `随手拍 R${reportId} 添加照片` : `最美庭院（记录 ${recordId}）添加照片`
    batches.add(message, batchKey, reuseNotes, (n) => `已为 ${what} ${n} 张`)
    return { reply: '', outcome: 'photo linked' }
  }
}

interface Batch {
  count: number
  notes: string[]
  describe: (count: number) => string
  timer?: NodeJS.Timeout
}

/** One confirmation for several photos in a row: sent once the sender has paused. */
class PhotoBatches {
  private readonly open = new Map<string, Batch>()

  constructor(
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

  add(message: PictureMessage, target: string, notes: string[], describe: (count: number) => string): void {
    const key = this.key(message, target)
    const batch = this.open.get(key) ?? { count: 0, notes: [], describe }
    batch.count++
    batch.notes.push(...notes)
    this.open.set(key, batch)
    this.arm(key, message, batch)
  }

  private arm(key: string, message: PictureMessage, batch: Batch): void {
    clearTimeout(batch.timer)
    batch.timer = setTimeout(() => {
      this.open.delete(key)
      const text = [batch.describe(batch.count), ...batch.notes.map((n) => `⚠️ ${n}`)].join('\n')
      this.notify.send(message.conversationId, text, [message.talkerId]).catch((err: unknown) => this.logger.error({ err }, 'photo confirmation failed'))
    }, this.delayMs)
  }

  private key(message: PictureMessage, target: string): string {
    return `${message.conversationId}|${message.talkerId}|${target}`
  }
}
