// A picture message: stored and checked, then given to the sender's open window (the command
// that asked for it). Several pictures in a row get one confirmation; a picture with nothing
// to belong to gets a question. Residents' pictures outside a 随手拍 are ordinary chat.
// The confirmation goes out later, in a transaction of its own, so its numbers are read back from
// what the photos' transactions recorded, not counted as the pictures came in. It is owed in the
// database from the first photo on (PhotoConfirmation), so a restart in the pause still sends it.
import type { Actor } from '../config/township.ts'
import { STATUS } from '../ledger/index.ts'
import type { Logger } from '../log.ts'
import { PhotoError, photosAddedText, type ConfirmationKey, type EvidenceTarget } from '../photos/index.ts'
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

/** Runs `work` in a transaction of its own, with the services bound to it (the composition root's). */
export type Transact = (work: (services: Services) => Promise<void>) => Promise<void>

export interface PhotoIntakeWorkflow {
  intake: PhotoIntake
  /** Sends the confirmations owed and due, and times those not due yet (after a restart, or a timer that did not fire). */
  sweepConfirmations(): Promise<void>
  /** Stops the pauses' timers (the assistant stops): what is owed stays owed, for the next start. */
  stop(): void
}

/** `root`: the services outside any transaction; `transact`: how a confirmation gets a transaction of its own. */
export function createPhotoIntake(root: Services, logger: Logger, transact: Transact): PhotoIntakeWorkflow {
  const confirmations = new PhotoConfirmations(transact, root.policy.photoBatchSeconds * 1000, logger)

  async function intake(message: PictureMessage, actor: Actor, services: Services) {
    const data = message.photo
    if (!data) return undefined
    const { photos, pairing, ledger } = services
    const window = await pairing.active(message.conversationId, message.talkerId)
    if (!window && actor.role === 'resident') return undefined
    if (data === 'unavailable') return { reply: '这张照片没有收到（文件太大或网络不好），请重新发送一次。', outcome: 'photo unavailable' }
    const key = { conversationId: message.conversationId, talkerId: message.talkerId, batch: window ? `${window.target.problemId ?? window.target.reportId ?? window.target.recordId}:${window.target.kind}` : 'unpaired' }
    confirmations.pause(key) // the confirmation waits while this photo is processed
    let photo
    try {
      photo = await photos.receive(data, { id: actor.id, name: actor.name, messageId: message.id, conversationId: message.conversationId })
    } catch (error) {
      confirmations.arm(key)
      if (error instanceof PhotoError) return { reply: error.message, outcome: 'photo refused' }
      throw error
    }
    const by = { id: actor.id, name: actor.name, messageId: message.id }
    if (!window) {
      await confirmations.owe(services, key, message.id)
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
    await confirmations.owe(services, key, message.id, window.target)
    return { reply: '', outcome: 'photo linked' }
  }

  return {
    intake,
    async sweepConfirmations() {
      for (const { key, inMs } of await root.photos.confirmationsOwed()) {
        if (inMs <= 0) await confirmations.send(key, true)
        else confirmations.arm(key, inMs)
      }
    },
    stop: () => confirmations.stop(),
  }
}

/** One confirmation for several photos in a row: sent once the sender has paused. */
class PhotoConfirmations {
  /** The pause of each sender's batch; what it confirms is in the database. */
  private readonly timers = new Map<string, NodeJS.Timeout>()

  constructor(
    private readonly transact: Transact,
    private readonly delayMs: number,
    private readonly logger: Logger,
  ) {}

  /** Holds a batch's confirmation while another photo for it is being processed. */
  pause(key: ConfirmationKey): void {
    clearTimeout(this.timers.get(this.name(key)))
  }

  /** In the photo's transaction: the photo joins its batch's confirmation, sent after a pause. */
  async owe(services: Services, key: ConfirmationKey, messageId: string, target?: EvidenceTarget): Promise<void> {
    await services.photos.oweConfirmation(key, messageId, target, this.delayMs)
    this.arm(key)
  }

  /** Sends the batch's confirmation once the sender has paused (nothing when none is owed). */
  arm(key: ConfirmationKey, inMs = this.delayMs): void {
    const name = this.name(key)
    clearTimeout(this.timers.get(name))
    const timer = setTimeout(() => {
      if (this.timers.get(name) === timer) this.timers.delete(name)
      void this.send(key, false)
    }, inMs)
    timer.unref()
    this.timers.set(name, timer)
  }

  /** Takes what is owed and queues its confirmation, in one transaction: once, or not at all. */
  async send(key: ConfirmationKey, dueOnly: boolean): Promise<void> {
    await this.transact(async ({ photos, notify }) => {
      const owed = await photos.takeConfirmation(key, dueOnly)
      if (!owed) return
      const sender = { conversationId: key.conversationId, senderId: key.talkerId }
      const { linked, repeated, waiting, reuseNotes } = await photos.recordedFrom(sender, owed.messageIds, owed.target)
      let text: string
      if (owed.target && linked + repeated > 0) {
        text = [photosAddedText(owed.target, linked, repeated), ...reuseNotes.map((n) => `⚠️ ${n}`)].join('\n')
      } else if (!owed.target && waiting > 0) {
        text = `收到 ${waiting} 张照片。这是哪个问题的？请回复 /照片 编号（例如 /照片 12），照片就会归到该问题。`
      } else {
        return // /照片 编号 already took the pictures
      }
      await notify.send(key.conversationId, text, [key.talkerId])
    }).catch((err: unknown) => this.logger.error({ err, ...key }, 'photo confirmation failed'))
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
  }

  private name(key: ConfirmationKey): string {
    return `${key.conversationId}|${key.talkerId}|${key.batch}`
  }
}
