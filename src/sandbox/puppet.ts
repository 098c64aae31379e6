// The sandbox's "WeChat": wechaty-puppet-mock's PuppetMock with the few gaps filled that a real
// provider does not have, so the bot runs exactly as it does in production:
//  - the stock mock drops the @-mention list of `messageSendText`: forward it to the mock room;
//  - a mock contact can only say a FileBox that serialises (base64/url): the bot's files
//    (FileBox.fromBuffer, e.g. the bulletin picture or an Excel export) are turned into base64 first;
//  - send methods resolve to the new message's id, as a real provider's do;
//  - the mock types file messages only for .jpg/.png/.mp4/.silk: image/* → Image, video/* → Video,
//    audio/* → Audio, anything else → Attachment, as WeChat delivers them, with the file's name
//    in `payload.filename` as providers give it;
//  - every message is stamped with the sandbox clock, so a message sent after the time control
//    jumped ahead is not taken for one the bot missed while offline;
//  - the bot's sends can be held for a moment (`holdSends`): a clock jump first shows what fell
//    due as queued, so that each message, when it goes, finds the place it was queued at.
import type * as PUPPET from 'wechaty-puppet'
import { types } from 'wechaty-puppet'
import { FileBox, type FileBoxInterface } from 'file-box'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import type { Clock } from '../time.ts'

export class SandboxPuppet extends PuppetMock {
  private held: { until: Promise<void>; release: () => void } | undefined

  constructor(mocker: mock.Mocker, clock: Clock) {
    super({ mocker })
    patchMessagePayloads(mocker, clock)
  }

  /** What the bot says from now on waits (like a slow network) until `releaseSends`. */
  holdSends(): void {
    if (this.held) return
    let release = () => {}
    const until = new Promise<void>((resolve) => (release = resolve))
    this.held = { until, release }
  }

  releaseSends(): void {
    this.held?.release()
    this.held = undefined
  }

  private conversation(conversationId: string): mock.ContactMock | mock.RoomMock {
    return conversationId.includes('@') ? this.mocker.RoomMock.load(conversationId) : this.mocker.ContactMock.load(conversationId)
  }

  /** Runs `send` (which creates exactly one mock message) and returns that message's id. */
  private newMessageId(send: () => void): string | undefined {
    const cache = this.mocker.cacheMessagePayload
    const before = new Set(cache.keys())
    send()
    for (const id of cache.keys()) if (!before.has(id)) return id
    return undefined
  }

  // @ts-expect-error the stock mock declares Promise<void>; the Puppet contract is Promise<void | string>
  override async messageSendText(conversationId: string, text: string, mentionIdList?: string[]): Promise<void | string> {
    await this.held?.until
    if (!this.isLoggedIn) throw new Error('not logged in')
    const user = this.mocker.ContactMock.load(this.currentUserId)
    const mentions = (mentionIdList ?? []).map((id) => this.mocker.ContactMock.load(id))
    const to = this.conversation(conversationId)
    return this.newMessageId(() => user.say(text, mentions).to(to))
  }

  // @ts-expect-error the stock mock declares Promise<void>; the Puppet contract is Promise<void | string>
  override async messageSendFile(conversationId: string, file: FileBoxInterface): Promise<void | string> {
    await this.held?.until
    if (!this.isLoggedIn) throw new Error('not logged in')
    const user = this.mocker.ContactMock.load(this.currentUserId)
    const box = FileBox.fromBase64(await file.toBase64(), file.name)
    const to = this.conversation(conversationId)
    return this.newMessageId(() => user.say(box).to(to))
  }
}

/** The payload hook every new mock message passes through (MessageMock.create → mocker.messagePayload). */
function patchMessagePayloads(mocker: mock.Mocker, clock: Clock): void {
  const original = mocker.messagePayload.bind(mocker) as (id: string, payload?: PUPPET.payloads.Message) => unknown
  const patched = (id: string, payload?: PUPPET.payloads.Message): unknown => {
    if (payload) {
      payload.timestamp = clock().getTime()
      const json = mocker.cacheFileBoxPayload.get(id)
      if (json && payload.type !== types.Message.Image) {
        const box = FileBox.fromJSON(json)
        const mediaType = box.mediaType
        // As providers give a file's name (the assistant reads an .xlsx by it).
        if (!mediaType.startsWith('image/')) payload.filename = box.name
        payload.type = mediaType.startsWith('image/')
          ? types.Message.Image
          : mediaType.startsWith('video/')
            ? types.Message.Video
            : mediaType.startsWith('audio/')
              ? types.Message.Audio
              : types.Message.Attachment
      }
    }
    return original(id, payload)
  }
  mocker.messagePayload = patched as typeof mocker.messagePayload
}
